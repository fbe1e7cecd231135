namespace KoderId.Oidc.Common;

/// <summary>The protocol paths (ARCHITECTURE.md §6); each is relative to the tenant's issuer.</summary>
public static class OidcPaths
{
    public const string Discovery = "/.well-known/openid-configuration";
    public const string AuthorizationServerMetadata = "/.well-known/oauth-authorization-server";
    public const string Authorize = "/oauth/v2/authorize";
    public const string Token = "/oauth/v2/token";
    public const string Keys = "/oauth/v2/keys";
    public const string Introspect = "/oauth/v2/introspect";
    public const string Revoke = "/oauth/v2/revoke";
    public const string Register = "/oauth/v2/register";
    public const string UserInfo = "/oidc/v1/userinfo";
    public const string EndSession = "/oidc/v1/end_session";
    public const string Login = "/ui/login";
    public const string Consent = "/ui/consent";
    public const string Logout = "/ui/logout";
}
