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
/// The KID1000-KID1099 codes of the tenant, user, group (KID1040-KID1059) and role (KID1060-KID1079)
/// decisions (KID1100-KID1199 belong to credentials).
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

    /// <summary>KID1250-KID1259: the tenant's signing keys.</summary>
    public const string SigningKeyUnsupportedAlgorithm = "KID1250";

    public const string TenantDefaultProtected = "KID1030";
    public const string TenantInvalidReason = "KID1031";

    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
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
        [TenantDefaultProtected] = "tenant.default_protected",
        [TenantInvalidReason] = "tenant.invalid_reason",
        [SigningKeyUnsupportedAlgorithm] = "signing_key.unsupported_algorithm",
    };

    /// <summary>Every code and its name, for the errors catalogue and its test.</summary>
    public static IReadOnlyDictionary<string, string> All => Names;

    public static string NameOf(string code) => Names.TryGetValue(code, out var name) ? name : "domain.unknown";
}

/// <summary>A value that must be unique within a tenant (<c>username</c>, <c>email</c>), held while the aggregate is live.</summary>
public sealed record UniqueKey(string Scope, string Value);
