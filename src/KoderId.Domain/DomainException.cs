namespace KoderId.Domain;

/// <summary>
/// A decision was refused. <see cref="Code"/> is the stable <c>KID1xxx</c> code of docs/errors.md and
/// <see cref="Name"/> its dotted name; the message never holds personal data (usernames, emails), so it may
/// reach a log line or a problem document as it is.
/// </summary>
public sealed class DomainException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;

    public string Name => DomainErrors.NameOf(Code);
}

/// <summary>
/// The KID1000-KID1099 codes of the tenant (settings: KID1032-KID1039), user, group (KID1040-KID1059) and role (KID1060-KID1079)
/// decisions (KID1100-KID1199 belong to credentials, KID1200-KID1229 to OAuth clients, KID1230-KID1249 to sessions and grants).
/// A code is never reused for another meaning.
/// </summary>
public static class DomainErrors
{
    public const string TenantExists = "KID1001";
    public const string TenantNotFound = "KID1002";
    public const string TenantBlocked = "KID1003";
    public const string TenantDeleted = "KID1004";
    public const string TenantInvalidId = "KID1005";
    public const string TenantReservedId = "KID1006";
    public const string TenantInvalidName = "KID1007";
    public const string TenantInvalidDomain = "KID1008";
    public const string TenantDomainNotAllowed = "KID1009";

    public const string UserExists = "KID1010";
    public const string UserNotFound = "KID1011";
    public const string UserDeleted = "KID1012";
    public const string UserErased = "KID1013";
    public const string UserInvalidUsername = "KID1014";
    public const string UserInvalidEmail = "KID1015";
    public const string UserDisabled = "KID1016";
    public const string UserEmailTaken = "KID1017";
    public const string UserEmailMismatch = "KID1018";
    public const string UserInvalidProfile = "KID1019";
    public const string UserInvalidId = "KID1020";
    public const string UserIdTaken = "KID1021";
    public const string UserNoEmail = "KID1022";
    public const string UserPasswordChanged = "KID1023";
    public const string UserInvalidMetadataKey = "KID1024";
    public const string UserInvalidMetadataValue = "KID1025";
    public const string UserMetadataLimit = "KID1026";
    public const string UserMetadataNotFound = "KID1027";

    public const string GroupNotFound = "KID1040";
    public const string GroupNameTaken = "KID1041";
    public const string GroupInvalidName = "KID1042";
    public const string GroupDeleted = "KID1043";
    public const string GroupInvalidId = "KID1044";
    public const string GroupIdTaken = "KID1045";

    public const string RoleNotFound = "KID1060";
    public const string RoleNameTaken = "KID1061";
    public const string RoleInvalidName = "KID1062";
    public const string RoleDeleted = "KID1063";
    public const string RoleInvalidId = "KID1064";
    public const string RoleIdTaken = "KID1065";

    public const string ApiKeyNotFound = "KID1080";
    public const string ApiKeyInvalidName = "KID1081";
    public const string ApiKeyInvalidScope = "KID1082";
    public const string ApiKeyScopeNotAllowed = "KID1083";
    public const string ApiKeyInvalidExpiry = "KID1084";
    public const string ApiKeyIdTaken = "KID1085";

    public const string ClientNotFound = "KID1200";
    public const string ClientInvalidName = "KID1201";
    public const string ClientInvalidRedirectUri = "KID1202";
    public const string ClientInvalidPostLogoutRedirectUri = "KID1203";
    public const string ClientInvalidGrantType = "KID1204";
    public const string ClientInvalidResponseType = "KID1205";
    public const string ClientInvalidScope = "KID1206";
    public const string ClientInvalidAuthMethod = "KID1207";
    public const string ClientInvalidJwks = "KID1208";
    public const string ClientInvalidLifetime = "KID1209";
    public const string ClientInvalidSigningAlg = "KID1210";
    public const string ClientIdTaken = "KID1211";
    public const string ClientInvalidType = "KID1212";
    public const string ClientTypeImmutable = "KID1213";
    public const string ClientSecretNotApplicable = "KID1214";
    public const string ClientSecretRequired = "KID1215";
    public const string ClientPkceRequired = "KID1216";
    /// <summary>KID1250-KID1259: the tenant's signing keys.</summary>
    public const string SigningKeyUnsupportedAlgorithm = "KID1250";
    public const string FlowMalformedAnswer = "KID1300";
    public const string LockoutUserLocked = "KID1301";
    /// <summary>A session, code or refresh token whose user is disabled, deleted or erased (ADR 0008): refused on use, revoked or not yet.</summary>
    public const string SessionUserInactive = "KID1302";

    /// <summary>An external identity (IdP link) without a provider or subject, or one that is too long.</summary>
    public const string UserInvalidExternalIdentity = "KID1420";

    public const string TenantDefaultProtected = "KID1030";
    public const string TenantInvalidReason = "KID1031";
    public const string TenantInvalidPasswordPolicy = "KID1032";
    public const string TenantInvalidHashingPolicy = "KID1033";
    public const string TenantInvalidLockoutPolicy = "KID1034";
    public const string TenantInvalidTokenLifetime = "KID1035";
    public const string TenantInvalidSigningAlgorithm = "KID1036";
    public const string TenantInvalidSettings = "KID1037";

    // KID1230-KID1249: SSO sessions, authorization codes and refresh families (ADR 0004).
    public const string SessionNotFound = "KID1230";
    public const string SessionInvalidReason = "KID1231";
    public const string SessionInvalidRequest = "KID1232";
    public const string SessionRevoked = "KID1233";
    public const string CodeNotFound = "KID1234";
    public const string CodeExpired = "KID1235";
    public const string CodeAlreadyRedeemed = "KID1236";
    public const string CodeClientMismatch = "KID1237";
    public const string CodeRedirectUriMismatch = "KID1238";
    public const string CodePkceFailed = "KID1239";
    public const string CodeInvalidChallenge = "KID1240";
    public const string CodeInvalidRequest = "KID1241";
    public const string RefreshNotFound = "KID1242";
    public const string RefreshExpired = "KID1243";
    public const string RefreshRevoked = "KID1244";
    public const string RefreshClientMismatch = "KID1245";
    public const string RefreshReused = "KID1246";
    public const string RefreshConcurrentRotation = "KID1247";
    public const string RefreshInvalidRequest = "KID1248";

    // KID1340-KID1369: passkeys (WebAuthn L3, ADR 0006).
    public const string PasskeyNotFound = "KID1340";
    public const string PasskeyInvalidName = "KID1341";
    public const string PasskeyCredentialTaken = "KID1342";
    public const string WebAuthnMalformed = "KID1343";
    public const string WebAuthnClientDataTooLarge = "KID1344";
    public const string WebAuthnWrongType = "KID1345";
    public const string WebAuthnChallengeMismatch = "KID1346";
    public const string WebAuthnOriginMismatch = "KID1347";
    public const string WebAuthnRpIdMismatch = "KID1348";
    public const string WebAuthnUserNotPresent = "KID1349";
    public const string WebAuthnUserNotVerified = "KID1350";
    public const string WebAuthnUnsupportedAlgorithm = "KID1351";
    public const string WebAuthnInvalidSignature = "KID1352";
    public const string WebAuthnInvalidAttestation = "KID1353";
    public const string WebAuthnCounterRegression = "KID1354";
    public const string WebAuthnCrossOrigin = "KID1355";
    public const string WebAuthnInvalidPublicKey = "KID1356";
    public const string WebAuthnCredentialMismatch = "KID1357";
    public const string WebAuthnBackupStateInvalid = "KID1358";
    public const string PasskeyInvalidRequest = "KID1359";
    // KID1370-KID1389: email verification, password reset and email sign-in (ADR 0006).
    public const string EmailInvalidSettings = "KID1370";
    public const string EmailLinkInvalid = "KID1371";
    public const string EmailUnavailable = "KID1372";
    public const string EmailAlreadyVerified = "KID1373";
    public const string EmailOtpInvalidRequest = "KID1374";
    // KID1320-KID1339: TOTP and recovery codes (feature Mfa, ADR 0006).
    public const string MfaInvalidRequest = "KID1320";
    public const string TotpAlreadyEnrolled = "KID1321";
    public const string TotpNoPendingEnrolment = "KID1322";
    public const string TotpNotFound = "KID1323";
    public const string TotpInvalidCode = "KID1324";
    public const string TotpCodeReplayed = "KID1325";
    public const string TotpMalformedCode = "KID1326";
    public const string RecoveryCodeMalformed = "KID1327";
    public const string RecoveryCodeInvalid = "KID1328";
    public const string MfaReauthenticationRequired = "KID1329";
    public const string MfaEnrolmentNotStarted = "KID1330";
    // KID1400-KID1409: audit replay and point-in-time views (issue 6).
    public const string AuditUserNotFound = "KID1400";

    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        [EmailInvalidSettings] = "email.invalid_settings",
        [EmailLinkInvalid] = "email.link_invalid",
        [EmailUnavailable] = "email.unavailable",
        [EmailAlreadyVerified] = "email.already_verified",
        [EmailOtpInvalidRequest] = "email.otp_invalid_request",
        [TenantExists] = "tenant.exists",
        [TenantNotFound] = "tenant.not_found",
        [TenantBlocked] = "tenant.blocked",
        [TenantDeleted] = "tenant.deleted",
        [TenantInvalidId] = "tenant.invalid_id",
        [TenantReservedId] = "tenant.reserved_id",
        [TenantInvalidName] = "tenant.invalid_name",
        [TenantInvalidDomain] = "tenant.invalid_domain",
        [TenantDomainNotAllowed] = "tenant.domain_not_allowed",
        [UserExists] = "user.exists",
        [UserNotFound] = "user.not_found",
        [UserDeleted] = "user.deleted",
        [UserErased] = "user.erased",
        [UserInvalidUsername] = "user.invalid_username",
        [UserInvalidEmail] = "user.invalid_email",
        [UserDisabled] = "user.disabled",
        [UserEmailTaken] = "user.email_taken",
        [UserEmailMismatch] = "user.email_mismatch",
        [UserInvalidProfile] = "user.invalid_profile",
        [UserInvalidId] = "user.invalid_id",
        [UserIdTaken] = "user.id_taken",
        [UserNoEmail] = "user.no_email",
        [UserPasswordChanged] = "user.password_changed",
        [UserInvalidMetadataKey] = "user.invalid_metadata_key",
        [UserInvalidMetadataValue] = "user.invalid_metadata_value",
        [UserMetadataLimit] = "user.metadata_limit",
        [UserMetadataNotFound] = "user.metadata_not_found",
        [GroupNotFound] = "group.not_found",
        [GroupNameTaken] = "group.name_taken",
        [GroupInvalidName] = "group.invalid_name",
        [GroupDeleted] = "group.deleted",
        [GroupInvalidId] = "group.invalid_id",
        [GroupIdTaken] = "group.id_taken",
        [RoleNotFound] = "role.not_found",
        [RoleNameTaken] = "role.name_taken",
        [RoleInvalidName] = "role.invalid_name",
        [RoleDeleted] = "role.deleted",
        [RoleInvalidId] = "role.invalid_id",
        [RoleIdTaken] = "role.id_taken",
        [ApiKeyNotFound] = "api_key.not_found",
        [ApiKeyInvalidName] = "api_key.invalid_name",
        [ApiKeyInvalidScope] = "api_key.invalid_scope",
        [ApiKeyScopeNotAllowed] = "api_key.scope_not_allowed",
        [ApiKeyInvalidExpiry] = "api_key.invalid_expiry",
        [ApiKeyIdTaken] = "api_key.id_taken",
        [ClientNotFound] = "client.not_found",
        [ClientInvalidName] = "client.invalid_name",
        [ClientInvalidRedirectUri] = "client.invalid_redirect_uri",
        [ClientInvalidPostLogoutRedirectUri] = "client.invalid_post_logout_redirect_uri",
        [ClientInvalidGrantType] = "client.invalid_grant_type",
        [ClientInvalidResponseType] = "client.invalid_response_type",
        [ClientInvalidScope] = "client.invalid_scope",
        [ClientInvalidAuthMethod] = "client.invalid_auth_method",
        [ClientInvalidJwks] = "client.invalid_jwks",
        [ClientInvalidLifetime] = "client.invalid_lifetime",
        [ClientInvalidSigningAlg] = "client.invalid_signing_alg",
        [ClientIdTaken] = "client.id_taken",
        [ClientInvalidType] = "client.invalid_type",
        [ClientTypeImmutable] = "client.type_immutable",
        [ClientSecretNotApplicable] = "client.secret_not_applicable",
        [ClientSecretRequired] = "client.secret_required",
        [ClientPkceRequired] = "client.pkce_required",
        [TenantDefaultProtected] = "tenant.default_protected",
        [TenantInvalidReason] = "tenant.invalid_reason",
        [SessionNotFound] = "session.not_found",
        [SessionInvalidReason] = "session.invalid_reason",
        [SessionInvalidRequest] = "session.invalid_request",
        [SessionRevoked] = "session.revoked",
        [CodeNotFound] = "code.not_found",
        [CodeExpired] = "code.expired",
        [CodeAlreadyRedeemed] = "code.already_redeemed",
        [CodeClientMismatch] = "code.client_mismatch",
        [CodeRedirectUriMismatch] = "code.redirect_uri_mismatch",
        [CodePkceFailed] = "code.pkce_failed",
        [CodeInvalidChallenge] = "code.invalid_challenge",
        [CodeInvalidRequest] = "code.invalid_request",
        [RefreshNotFound] = "refresh.not_found",
        [RefreshExpired] = "refresh.expired",
        [RefreshRevoked] = "refresh.revoked",
        [RefreshClientMismatch] = "refresh.client_mismatch",
        [RefreshReused] = "refresh.reused",
        [RefreshConcurrentRotation] = "refresh.concurrent_rotation",
        [RefreshInvalidRequest] = "refresh.invalid_request",
        [PasskeyNotFound] = "passkey.not_found",
        [PasskeyInvalidName] = "passkey.invalid_name",
        [PasskeyCredentialTaken] = "passkey.credential_taken",
        [WebAuthnMalformed] = "webauthn.malformed",
        [WebAuthnClientDataTooLarge] = "webauthn.client_data_too_large",
        [WebAuthnWrongType] = "webauthn.wrong_type",
        [WebAuthnChallengeMismatch] = "webauthn.challenge_mismatch",
        [WebAuthnOriginMismatch] = "webauthn.origin_mismatch",
        [WebAuthnRpIdMismatch] = "webauthn.rp_id_mismatch",
        [WebAuthnUserNotPresent] = "webauthn.user_not_present",
        [WebAuthnUserNotVerified] = "webauthn.user_not_verified",
        [WebAuthnUnsupportedAlgorithm] = "webauthn.unsupported_algorithm",
        [WebAuthnInvalidSignature] = "webauthn.invalid_signature",
        [WebAuthnInvalidAttestation] = "webauthn.invalid_attestation",
        [WebAuthnCounterRegression] = "webauthn.counter_regression",
        [WebAuthnCrossOrigin] = "webauthn.cross_origin",
        [WebAuthnInvalidPublicKey] = "webauthn.invalid_public_key",
        [WebAuthnCredentialMismatch] = "webauthn.credential_mismatch",
        [WebAuthnBackupStateInvalid] = "webauthn.backup_state_invalid",
        [PasskeyInvalidRequest] = "passkey.invalid_request",
        [TenantInvalidPasswordPolicy] = "tenant.invalid_password_policy",
        [TenantInvalidHashingPolicy] = "tenant.invalid_hashing_policy",
        [TenantInvalidLockoutPolicy] = "tenant.invalid_lockout_policy",
        [TenantInvalidTokenLifetime] = "tenant.invalid_token_lifetime",
        [TenantInvalidSigningAlgorithm] = "tenant.invalid_signing_algorithm",
        [TenantInvalidSettings] = "tenant.invalid_settings",
        [SigningKeyUnsupportedAlgorithm] = "signing_key.unsupported_algorithm",
        [MfaInvalidRequest] = "mfa.invalid_request",
        [TotpAlreadyEnrolled] = "totp.already_enrolled",
        [TotpNoPendingEnrolment] = "totp.no_pending_enrolment",
        [TotpNotFound] = "totp.not_found",
        [TotpInvalidCode] = "totp.invalid_code",
        [TotpCodeReplayed] = "totp.code_replayed",
        [TotpMalformedCode] = "totp.malformed_code",
        [RecoveryCodeMalformed] = "recovery_code.malformed",
        [RecoveryCodeInvalid] = "recovery_code.invalid",
        [MfaReauthenticationRequired] = "mfa.reauthentication_required",
        [MfaEnrolmentNotStarted] = "mfa.enrolment_not_started",
        [FlowMalformedAnswer] = "flow.malformed_answer",
        [AuditUserNotFound] = "audit.user_not_found",
        [UserInvalidExternalIdentity] = "user.invalid_external_identity",
        [LockoutUserLocked] = "lockout.user_locked",
        [SessionUserInactive] = "session.user_inactive",
    };

    /// <summary>Every code and its name, for the errors catalogue and its test.</summary>
    public static IReadOnlyDictionary<string, string> All => Names;

    public static string NameOf(string code) => Names.TryGetValue(code, out var name) ? name : "domain.unknown";
}

/// <summary>A value that must be unique within a tenant (<c>username</c>, <c>email</c>), held while the aggregate is live.</summary>
public sealed record UniqueKey(string Scope, string Value);
