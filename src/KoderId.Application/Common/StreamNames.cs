namespace KoderId.Application.Common;

/// <summary>
/// Stream ids are global in the store. <c>user-{tenant}-{user}</c> alone could collide across tenants
/// (tenant <c>a-b</c> user <c>c</c> and tenant <c>a</c> user <c>b-c</c>), which is safe only because the store
/// refuses another tenant's stream (<c>WrongTenantException</c>), mapped to not-found by <see cref="AggregateStore"/>.
/// </summary>
public static class StreamNames
{
    public static string Tenant(string tenantId) => $"tenant-{tenantId}";

    public static string User(string tenantId, string userId) => $"user-{tenantId}-{userId}";

    public static string Group(string tenantId, string groupId) => $"group-{tenantId}-{groupId}";

    public static string Role(string tenantId, string roleId) => $"role-{tenantId}-{roleId}";

    public static string ApiKey(string tenantId, string keyId) => $"api-key-{tenantId}-{keyId}";

    /// <summary>The SSO session of the login page (ADR 0004).</summary>
    public static string Session(string tenantId, string sessionId) => $"session-{tenantId}-{sessionId}";

    /// <summary>An authorization code, named by the base64url SHA-256 of the code: the code itself is never stored.</summary>
    public static string AuthorizationCode(string tenantId, string codeHash) => $"code-{tenantId}-{codeHash}";

    public static string RefreshFamily(string tenantId, string familyId) => $"refresh-{tenantId}-{familyId}";

    /// <summary>A revoked access token without a refresh family, by its <c>jti</c> (RFC 7009).</summary>
    public static string AccessToken(string tenantId, string jti) => $"access-token-{tenantId}-{jti}";

    /// <summary>A user's consent to one client.</summary>
    public static string Consent(string tenantId, string userId, string clientId) => $"consent-{tenantId}-{userId}-{clientId}";

    public static string Client(string tenantId, string clientId) => $"client-{tenantId}-{clientId}";

    /// <summary>A user's TOTP and recovery codes (feature Mfa).</summary>
    public static string Mfa(string tenantId, string userId) => $"mfa-{tenantId}-{userId}";

    /// <summary>A user's WebAuthn credentials (feature Passkeys).</summary>
    public static string Passkeys(string tenantId, string userId) => $"passkeys-{tenantId}-{userId}";
}
