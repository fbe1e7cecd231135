using KoderId.Oidc.Common;
using Microsoft.AspNetCore.Http;

namespace KoderId.Oidc.Login;

/// <summary>
/// The single sign-on cookie: <c>__Host-</c> prefixed (Secure, Path=/, no Domain, so one tenant host's cookie
/// never reaches another) when the issuer is https, HttpOnly, SameSite=Lax so the top-level redirect back
/// from a client still carries it.
/// </summary>
public static class SsoCookie
{
    public const string SecureName = "__Host-koderid_session";
    public const string DevelopmentName = "koderid_session";

    public static bool IsSecure(OidcTenant tenant) =>
        tenant?.Issuer.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ?? throw new ArgumentNullException(nameof(tenant));

    public static string NameFor(OidcTenant tenant) => IsSecure(tenant) ? SecureName : DevelopmentName;

    public static string? Read(HttpRequest request, OidcTenant tenant)
    {
        ArgumentNullException.ThrowIfNull(request);
        var value = request.Cookies[NameFor(tenant)];
        return string.IsNullOrEmpty(value) || value.Length > 512 ? null : value;
    }

    public static void Write(HttpResponse response, OidcTenant tenant, string value, DateTimeOffset expires)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Cookies.Append(NameFor(tenant), value, new CookieOptions
        {
            HttpOnly = true,
            Secure = IsSecure(tenant),
            SameSite = SameSiteMode.Lax,
            Path = "/",
            Expires = expires,
            IsEssential = true,
        });
    }

    public static void Delete(HttpResponse response, OidcTenant tenant)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Cookies.Delete(NameFor(tenant), new CookieOptions
        {
            HttpOnly = true,
            Secure = IsSecure(tenant),
            SameSite = SameSiteMode.Lax,
            Path = "/",
        });
    }
}
