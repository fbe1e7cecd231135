using System.Security.Cryptography;
using System.Text.Json;
using KoderId.Oidc.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Login;

/// <summary>
/// The recovery codes of a TOTP enrolled during a sign-in posted without script, carried across the 303 to
/// <see cref="LoginEndpoints.RecoveryCodesPath"/> as the account page carries its own (MfaPages): a 5-minute cookie
/// sealed with Data Protection, bound to the tenant and the new session, limited to that path, deleted when shown.
/// </summary>
internal static class EnrolmentCodes
{
    private const string CookieName = "koderid_enrolment_codes";
    private const string Purpose = "KoderId.Login.EnrolmentRecoveryCodes.v1";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    public static void Put(HttpContext http, OidcTenant tenant, string sessionId, IReadOnlyList<string> codes)
    {
        var payload = JsonSerializer.Serialize(new Shown(tenant.TenantId, sessionId, [.. codes]));
        http.Response.Cookies.Append(Name(tenant), Protector(http).Protect(payload, Lifetime), Options(tenant));
    }

    /// <summary>The codes sealed for this tenant and session, or null; the cookie is deleted either way.</summary>
    public static IReadOnlyList<string>? Take(HttpContext http, OidcTenant tenant, string sessionId)
    {
        var value = http.Request.Cookies[Name(tenant)];
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        http.Response.Cookies.Delete(Name(tenant), Options(tenant));
        try
        {
            var shown = JsonSerializer.Deserialize<Shown>(Protector(http).Unprotect(value));
            return shown is not null && shown.TenantId == tenant.TenantId && shown.SessionId == sessionId ? shown.Codes : null;
        }
        catch (Exception ex) when (ex is CryptographicException or JsonException)
        {
            return null;
        }
    }

    private static ITimeLimitedDataProtector Protector(HttpContext http) =>
        http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).ToTimeLimitedDataProtector();

    private static string Name(OidcTenant tenant) => SsoCookie.IsSecure(tenant) ? "__Secure-" + CookieName : CookieName;

    private static CookieOptions Options(OidcTenant tenant) => new()
    {
        HttpOnly = true,
        Secure = SsoCookie.IsSecure(tenant),
        SameSite = SameSiteMode.Strict,
        Path = LoginEndpoints.RecoveryCodesPath,
        IsEssential = true,
    };

    private sealed record Shown(string TenantId, string SessionId, string[] Codes)
    {
        public override string ToString() => "Shown { Codes = [redacted] }";
    }
}
