namespace KoderId.Migration.Zitadel.Parsing;

// The part of Zitadel's admin export (admin.proto ExportDataResponse / ImportDataOrg: DataOrg and the messages it
// holds) the importer maps. Each item keeps the JSON path it was read from, for errors and the skipped list.

public sealed record ZitadelOrg(
    string Path,
    string OrgId,
    string Name,
    string State,
    ZitadelLockoutPolicy? LockoutPolicy,
    ZitadelPasswordComplexityPolicy? PasswordComplexityPolicy,
    IReadOnlyList<string> OtherPolicies,
    IReadOnlyList<ZitadelDomain> Domains,
    IReadOnlyList<ZitadelHumanUser> HumanUsers,
    IReadOnlyList<ZitadelMachineUser> MachineUsers,
    IReadOnlyList<ZitadelUserMetadata> UserMetadata,
    IReadOnlyList<ZitadelMachineKey> MachineKeys,
    IReadOnlyList<ZitadelProject> Projects,
    IReadOnlyList<ZitadelProjectRole> ProjectRoles,
    IReadOnlyList<ZitadelOidcApp> OidcApps,
    IReadOnlyList<ZitadelApiApp> ApiApps,
    IReadOnlyList<ZitadelUserGrant> UserGrants,
    IReadOnlyList<ZitadelMember> OrgMembers,
    IReadOnlyList<ZitadelUserLink> UserLinks,
    IReadOnlyList<ZitadelItem> NotMapped);

/// <summary>Something the importer does not map, by path and what it is (reported as skipped).</summary>
public sealed record ZitadelItem(string Path, string What, string? Id = null);

public sealed record ZitadelLockoutPolicy(string Path, long MaxPasswordAttempts);

public sealed record ZitadelPasswordComplexityPolicy(string Path, long MinLength, bool HasUppercase, bool HasLowercase, bool HasNumber, bool HasSymbol);

public sealed record ZitadelDomain(string Path, string DomainName, bool IsVerified, bool IsPrimary);

public sealed record ZitadelHumanUser(
    string Path,
    string? UserId,
    string UserName,
    string? FirstName,
    string? LastName,
    string? NickName,
    string? DisplayName,
    string? PreferredLanguage,
    string? Email,
    bool IsEmailVerified,
    string? Phone,
    string? HashedPassword,
    bool PasswordChangeRequired,
    bool HasPlainPassword,
    string? OtpCode,
    IReadOnlyList<ZitadelIdpLink> Idps,
    string State)
{
    // The hash and the OTP seed are secrets: a record dump in a log or a test failure must not show them.
    public override string ToString() => $"ZitadelHumanUser {{ Path = {Path}, UserId = {UserId}, HashedPassword = [redacted], OtpCode = [redacted] }}";
}

/// <summary>One metadata entry of a user (management.proto SetUserMetadataRequest): <see cref="Value"/> is the bytes as the export's base64, null when empty.</summary>
public sealed record ZitadelUserMetadata(string Path, string UserId, string Key, string? Value)
{
    // The value is the user's data: a record dump in a log line or a test failure shows the key only.
    public override string ToString() => $"ZitadelUserMetadata {{ Path = {Path}, UserId = {UserId}, Key = {Key}, Value = [redacted] }}";
}

public sealed record ZitadelIdpLink(string Path, string IdpId, string ExternalUserId, string? DisplayName);

public sealed record ZitadelMachineUser(string Path, string UserId, string UserName, string? Name, string? Description);

/// <summary>
/// A machine user's key (admin.proto DataMachineKey). <paramref name="PublicKey"/> is the bytes field as the document
/// has it (base64 of a PEM public key): decoding it is the importer's check, so every bad key of an org is reported.
/// The field paths are spelled as the document spells them (<c>publicKey</c> or <c>public_key</c>).
/// </summary>
public sealed record ZitadelMachineKey(
    string Path,
    string KeyId,
    string UserId,
    string Type,
    DateTimeOffset? ExpirationDate,
    string PublicKey,
    string KeyIdPath,
    string UserIdPath,
    string PublicKeyPath);

public sealed record ZitadelProject(string Path, string ProjectId, string Name);

public sealed record ZitadelProjectRole(string Path, string ProjectId, string RoleKey, string? DisplayName);

public sealed record ZitadelOidcApp(
    string Path,
    string AppId,
    string ProjectId,
    string Name,
    IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> ResponseTypes,
    IReadOnlyList<string> GrantTypes,
    string AppType,
    string AuthMethodType,
    IReadOnlyList<string> PostLogoutRedirectUris,
    bool DevMode);

public sealed record ZitadelApiApp(string Path, string AppId, string ProjectId, string Name, string AuthMethodType);

public sealed record ZitadelUserGrant(string Path, string UserId, string ProjectId, IReadOnlyList<string> RoleKeys);

public sealed record ZitadelMember(string Path, string UserId, IReadOnlyList<string> Roles);

public sealed record ZitadelUserLink(string Path, string UserId, string IdpId, string ProvidedUserId, string? ProvidedUserName);

/// <summary>One org of the export: read, or refused with the reason and its path.</summary>
public sealed record ZitadelOrgEntry(string Path, string? OrgId, ZitadelOrg? Org, ZitadelFormatException? Error);

public static class ZitadelEnums
{
    public static readonly IReadOnlyList<string> UserState =
        ["USER_STATE_UNSPECIFIED", "USER_STATE_ACTIVE", "USER_STATE_INACTIVE", "USER_STATE_DELETED", "USER_STATE_LOCKED", "USER_STATE_SUSPEND", "USER_STATE_INITIAL"];

    public static readonly IReadOnlyList<string> OrgState = ["ORG_STATE_UNSPECIFIED", "ORG_STATE_ACTIVE", "ORG_STATE_INACTIVE", "ORG_STATE_REMOVED"];

    public static readonly IReadOnlyList<string> OidcResponseType = ["OIDC_RESPONSE_TYPE_CODE", "OIDC_RESPONSE_TYPE_ID_TOKEN", "OIDC_RESPONSE_TYPE_ID_TOKEN_TOKEN"];

    public static readonly IReadOnlyList<string> OidcGrantType =
    [
        "OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_IMPLICIT", "OIDC_GRANT_TYPE_REFRESH_TOKEN", "OIDC_GRANT_TYPE_DEVICE_CODE",
        "OIDC_GRANT_TYPE_TOKEN_EXCHANGE",
    ];

    public static readonly IReadOnlyList<string> OidcAppType = ["OIDC_APP_TYPE_WEB", "OIDC_APP_TYPE_USER_AGENT", "OIDC_APP_TYPE_NATIVE"];

    public static readonly IReadOnlyList<string> OidcAuthMethodType =
        ["OIDC_AUTH_METHOD_TYPE_BASIC", "OIDC_AUTH_METHOD_TYPE_POST", "OIDC_AUTH_METHOD_TYPE_NONE", "OIDC_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"];

    public static readonly IReadOnlyList<string> KeyType = ["KEY_TYPE_UNSPECIFIED", "KEY_TYPE_JSON"];

    public static readonly IReadOnlyList<string> ApiAuthMethodType = ["API_AUTH_METHOD_TYPE_BASIC", "API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"];
}
