using KoderId.Domain;

namespace KoderId.Server.Errors;

/// <summary>The HTTP status of each domain code, as the HTTP column of docs/errors.md states it.</summary>
public static class DomainErrorStatus
{
    private static readonly Dictionary<string, int> Statuses = new(StringComparer.Ordinal)
    {
        [DomainErrors.TenantExists] = StatusCodes.Status409Conflict,
        [DomainErrors.TenantNotFound] = StatusCodes.Status404NotFound,
        [DomainErrors.TenantBlocked] = StatusCodes.Status403Forbidden,
        [DomainErrors.TenantDeleted] = StatusCodes.Status404NotFound,
        [DomainErrors.TenantInvalidId] = StatusCodes.Status400BadRequest,
        [DomainErrors.TenantReservedId] = StatusCodes.Status400BadRequest,
        [DomainErrors.TenantInvalidName] = StatusCodes.Status400BadRequest,
        [DomainErrors.TenantInvalidDomain] = StatusCodes.Status400BadRequest,
        [DomainErrors.TenantDomainNotAllowed] = StatusCodes.Status403Forbidden,
        [DomainErrors.UserExists] = StatusCodes.Status409Conflict,
        [DomainErrors.UserNotFound] = StatusCodes.Status404NotFound,
        [DomainErrors.UserDeleted] = StatusCodes.Status409Conflict,
        [DomainErrors.UserErased] = StatusCodes.Status410Gone,
        [DomainErrors.UserInvalidUsername] = StatusCodes.Status400BadRequest,
        [DomainErrors.UserInvalidEmail] = StatusCodes.Status400BadRequest,
        [DomainErrors.UserDisabled] = StatusCodes.Status403Forbidden,
        [DomainErrors.UserEmailTaken] = StatusCodes.Status409Conflict,
        [DomainErrors.UserEmailMismatch] = StatusCodes.Status409Conflict,
        [DomainErrors.UserInvalidProfile] = StatusCodes.Status400BadRequest,
        [DomainErrors.UserInvalidId] = StatusCodes.Status400BadRequest,
        [DomainErrors.UserIdTaken] = StatusCodes.Status409Conflict,
        [DomainErrors.UserNoEmail] = StatusCodes.Status409Conflict,
        [DomainErrors.TenantDefaultProtected] = StatusCodes.Status403Forbidden,
        [DomainErrors.TenantInvalidReason] = StatusCodes.Status400BadRequest,
        [DomainErrors.TenantInvalidPasswordPolicy] = StatusCodes.Status400BadRequest,
        [DomainErrors.TenantInvalidHashingPolicy] = StatusCodes.Status400BadRequest,
        [DomainErrors.TenantInvalidLockoutPolicy] = StatusCodes.Status400BadRequest,
        [DomainErrors.TenantInvalidTokenLifetime] = StatusCodes.Status400BadRequest,
        [DomainErrors.TenantInvalidSigningAlgorithm] = StatusCodes.Status400BadRequest,
        [DomainErrors.TenantInvalidSettings] = StatusCodes.Status400BadRequest,
        [DomainErrors.UserPasswordChanged] = StatusCodes.Status409Conflict,
        [DomainErrors.GroupNotFound] = StatusCodes.Status404NotFound,
        [DomainErrors.GroupNameTaken] = StatusCodes.Status409Conflict,
        [DomainErrors.GroupInvalidName] = StatusCodes.Status400BadRequest,
        [DomainErrors.GroupInvalidId] = StatusCodes.Status400BadRequest,
        [DomainErrors.GroupIdTaken] = StatusCodes.Status409Conflict,
        [DomainErrors.RoleNotFound] = StatusCodes.Status404NotFound,
        [DomainErrors.RoleNameTaken] = StatusCodes.Status409Conflict,
        [DomainErrors.RoleInvalidName] = StatusCodes.Status400BadRequest,
        [DomainErrors.RoleInvalidId] = StatusCodes.Status400BadRequest,
        [DomainErrors.RoleIdTaken] = StatusCodes.Status409Conflict,
        [DomainErrors.GroupDeleted] = StatusCodes.Status409Conflict,
        [DomainErrors.RoleDeleted] = StatusCodes.Status409Conflict,
        [DomainErrors.ApiKeyNotFound] = StatusCodes.Status404NotFound,
        [DomainErrors.ApiKeyInvalidName] = StatusCodes.Status400BadRequest,
        [DomainErrors.ApiKeyInvalidScope] = StatusCodes.Status400BadRequest,
        [DomainErrors.ApiKeyScopeNotAllowed] = StatusCodes.Status403Forbidden,
        [DomainErrors.ApiKeyInvalidExpiry] = StatusCodes.Status400BadRequest,
        [DomainErrors.ApiKeyIdTaken] = StatusCodes.Status409Conflict,
        [DomainErrors.SessionNotFound] = StatusCodes.Status404NotFound,
        [DomainErrors.SessionInvalidReason] = StatusCodes.Status400BadRequest,
        [DomainErrors.SessionInvalidRequest] = StatusCodes.Status400BadRequest,
        [DomainErrors.SessionRevoked] = StatusCodes.Status400BadRequest,
        [DomainErrors.CodeNotFound] = StatusCodes.Status400BadRequest,
        [DomainErrors.CodeExpired] = StatusCodes.Status400BadRequest,
        [DomainErrors.CodeAlreadyRedeemed] = StatusCodes.Status400BadRequest,
        [DomainErrors.CodeClientMismatch] = StatusCodes.Status400BadRequest,
        [DomainErrors.CodeRedirectUriMismatch] = StatusCodes.Status400BadRequest,
        [DomainErrors.CodePkceFailed] = StatusCodes.Status400BadRequest,
        [DomainErrors.CodeInvalidChallenge] = StatusCodes.Status400BadRequest,
        [DomainErrors.CodeInvalidRequest] = StatusCodes.Status400BadRequest,
        [DomainErrors.RefreshNotFound] = StatusCodes.Status400BadRequest,
        [DomainErrors.RefreshExpired] = StatusCodes.Status400BadRequest,
        [DomainErrors.RefreshRevoked] = StatusCodes.Status400BadRequest,
        [DomainErrors.RefreshClientMismatch] = StatusCodes.Status400BadRequest,
        [DomainErrors.RefreshReused] = StatusCodes.Status400BadRequest,
        [DomainErrors.RefreshConcurrentRotation] = StatusCodes.Status400BadRequest,
        [DomainErrors.RefreshInvalidRequest] = StatusCodes.Status400BadRequest,
        [DomainErrors.PasskeyNotFound] = StatusCodes.Status404NotFound,
        [DomainErrors.PasskeyInvalidName] = StatusCodes.Status400BadRequest,
        [DomainErrors.PasskeyCredentialTaken] = StatusCodes.Status409Conflict,
        [DomainErrors.PasskeyInvalidRequest] = StatusCodes.Status400BadRequest,
        [DomainErrors.WebAuthnMalformed] = StatusCodes.Status400BadRequest,
        [DomainErrors.WebAuthnClientDataTooLarge] = StatusCodes.Status400BadRequest,
        [DomainErrors.WebAuthnWrongType] = StatusCodes.Status400BadRequest,
        [DomainErrors.WebAuthnChallengeMismatch] = StatusCodes.Status400BadRequest,
        [DomainErrors.WebAuthnOriginMismatch] = StatusCodes.Status400BadRequest,
        [DomainErrors.WebAuthnRpIdMismatch] = StatusCodes.Status400BadRequest,
        [DomainErrors.WebAuthnUserNotPresent] = StatusCodes.Status400BadRequest,
        [DomainErrors.WebAuthnUserNotVerified] = StatusCodes.Status400BadRequest,
        [DomainErrors.WebAuthnUnsupportedAlgorithm] = StatusCodes.Status400BadRequest,
        [DomainErrors.WebAuthnInvalidSignature] = StatusCodes.Status400BadRequest,
        [DomainErrors.WebAuthnInvalidAttestation] = StatusCodes.Status400BadRequest,
        [DomainErrors.WebAuthnCounterRegression] = StatusCodes.Status400BadRequest,
        [DomainErrors.WebAuthnCrossOrigin] = StatusCodes.Status400BadRequest,
        [DomainErrors.WebAuthnInvalidPublicKey] = StatusCodes.Status400BadRequest,
        [DomainErrors.WebAuthnCredentialMismatch] = StatusCodes.Status400BadRequest,
        [DomainErrors.WebAuthnBackupStateInvalid] = StatusCodes.Status400BadRequest,
        [DomainErrors.AuditUserNotFound] = StatusCodes.Status404NotFound,
        [DomainErrors.ClientNotFound] = StatusCodes.Status404NotFound,
        [DomainErrors.ClientInvalidName] = StatusCodes.Status400BadRequest,
        [DomainErrors.ClientInvalidRedirectUri] = StatusCodes.Status400BadRequest,
        [DomainErrors.ClientInvalidPostLogoutRedirectUri] = StatusCodes.Status400BadRequest,
        [DomainErrors.ClientInvalidGrantType] = StatusCodes.Status400BadRequest,
        [DomainErrors.ClientInvalidResponseType] = StatusCodes.Status400BadRequest,
        [DomainErrors.ClientInvalidScope] = StatusCodes.Status400BadRequest,
        [DomainErrors.ClientInvalidAuthMethod] = StatusCodes.Status400BadRequest,
        [DomainErrors.ClientInvalidJwks] = StatusCodes.Status400BadRequest,
        [DomainErrors.ClientInvalidLifetime] = StatusCodes.Status400BadRequest,
        [DomainErrors.ClientInvalidSigningAlg] = StatusCodes.Status400BadRequest,
        [DomainErrors.ClientIdTaken] = StatusCodes.Status409Conflict,
        [DomainErrors.ClientInvalidType] = StatusCodes.Status400BadRequest,
        [DomainErrors.ClientTypeImmutable] = StatusCodes.Status409Conflict,
        [DomainErrors.ClientSecretNotApplicable] = StatusCodes.Status409Conflict,
        [DomainErrors.ClientSecretRequired] = StatusCodes.Status409Conflict,
        [DomainErrors.ClientPkceRequired] = StatusCodes.Status400BadRequest,
        [DomainErrors.SigningKeyUnsupportedAlgorithm] = StatusCodes.Status400BadRequest,
        [DomainErrors.MfaInvalidRequest] = StatusCodes.Status400BadRequest,
        [DomainErrors.TotpAlreadyEnrolled] = StatusCodes.Status409Conflict,
        [DomainErrors.TotpNoPendingEnrolment] = StatusCodes.Status409Conflict,
        [DomainErrors.TotpNotFound] = StatusCodes.Status404NotFound,
        [DomainErrors.TotpInvalidCode] = StatusCodes.Status400BadRequest,
        [DomainErrors.TotpCodeReplayed] = StatusCodes.Status400BadRequest,
        [DomainErrors.TotpMalformedCode] = StatusCodes.Status400BadRequest,
        [DomainErrors.RecoveryCodeMalformed] = StatusCodes.Status400BadRequest,
        [DomainErrors.RecoveryCodeInvalid] = StatusCodes.Status400BadRequest,
        [DomainErrors.MfaReauthenticationRequired] = StatusCodes.Status403Forbidden,
        [DomainErrors.FlowMalformedAnswer] = StatusCodes.Status400BadRequest,
    };

    /// <summary>
    /// A code without an entry (a newer feature's) is mapped from its dotted name, so a refusal is never a 500:
    /// <c>*.not_found</c> 404, <c>*.exists</c> / <c>*_taken</c> 409, anything else 400.
    /// </summary>
    public static int Of(DomainException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (Statuses.TryGetValue(exception.Code, out var status))
        {
            return status;
        }

        var name = exception.Name;
        return name.EndsWith(".not_found", StringComparison.Ordinal) ? StatusCodes.Status404NotFound
            : name.EndsWith(".exists", StringComparison.Ordinal) || name.EndsWith("_taken", StringComparison.Ordinal) ? StatusCodes.Status409Conflict
            : StatusCodes.Status400BadRequest;
    }
}
