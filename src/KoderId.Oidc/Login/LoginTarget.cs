using KoderId.Oidc.Authorize;
using KoderId.Oidc.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace KoderId.Oidc.Login;

/// <summary>
/// Where a hosted sign-in goes once it completes: back to a pending authorization request (<c>ar</c>), or to one of
/// our own pages (<c>return</c>, a local absolute path only), else the account page. <c>prompt=login</c> asks for a
/// fresh sign-in even when the browser has a session (re-authentication before a sensitive change).
/// </summary>
internal sealed record LoginTarget(OidcTenant Tenant, ValidatedAuthorizeRequest? Request, string? Ar, string? Return, bool PromptLogin)
{
    public const int MaxReturnLength = 2048;

    public string Next => Ar is not null
        ? QueryHelpers.AddQueryString(AuthorizeEndpoints.ContinuePath, "ar", Ar)
        : Return ?? LoginEndpoints.DefaultReturn;

    public static async Task<LoginTarget?> ReadAsync(HttpContext http, IEnumerable<KeyValuePair<string, StringValues>> values)
    {
        var parameters = values.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var ar = parameters.GetValueOrDefault("ar");
        var ret = parameters.GetValueOrDefault("return");
        var prompt = parameters.GetValueOrDefault("prompt");
        if (ar.Count > 1 || ret.Count > 1 || prompt.Count > 1 || (ar.Count == 1 && ret.Count == 1))
        {
            return null;
        }

        var promptLogin = prompt.ToString() == "login";
        if (ar.Count == 1)
        {
            var (tenant, request) = await LoginEndpoints.PendingAsync(http, ar.ToString()).ConfigureAwait(false);
            return tenant is null || request is null ? null : new LoginTarget(tenant, request, ar.ToString(), null, promptLogin);
        }

        var oidcTenant = await http.RequestServices.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: true, http.RequestAborted).ConfigureAwait(false);
        if (ret.Count == 1 && !IsLocalPath(ret.ToString()))
        {
            return null;
        }

        return new LoginTarget(oidcTenant, null, null, ret.Count == 1 ? ret.ToString() : null, promptLogin);
    }

    /// <summary>An absolute path on this host: <c>/ui/account</c>, never <c>//evil.example</c>, <c>/\evil</c> or a URL with a scheme.</summary>
    public static bool IsLocalPath(string? value) =>
        value is { Length: > 0 and <= MaxReturnLength }
        && value[0] == '/'
        && !value.StartsWith("//", StringComparison.Ordinal)
        && !value.Contains('\\', StringComparison.Ordinal)
        && !value.Any(char.IsControl)
        && Uri.TryCreate(value, UriKind.Relative, out _);

    public string HiddenFields()
    {
        var fields = Ar is not null
            ? $"""<input type="hidden" name="ar" value="{Pages.Encode(Ar)}">"""
            : Return is not null ? $"""<input type="hidden" name="return" value="{Pages.Encode(Return)}">""" : "";
        return PromptLogin ? fields + """<input type="hidden" name="prompt" value="login">""" : fields;
    }

    public string LoginUrl(string? error) => Url(OidcPaths.Login, error);

    public string StepUrl(string? error) => Url(LoginEndpoints.StepPath, error);

    public string[] FormTargets() => Request is null ? [] : LoginEndpoints.FormTargets(Request);

    public string Url(string path, string? error)
    {
        var query = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (Ar is not null)
        {
            query["ar"] = Ar;
        }
        else if (Return is not null)
        {
            query["return"] = Return;
        }

        if (PromptLogin)
        {
            query["prompt"] = "login";
        }

        if (error is not null)
        {
            query["e"] = error;
        }

        return QueryHelpers.AddQueryString(path, query);
    }
}

/// <summary>
/// The flow between the password page and the second-step page: an HttpOnly, SameSite=Strict cookie for the flow's
/// five minutes, so the flow id never sits in a URL (history, logs). The step page hands it to login.js in the page.
/// </summary>
internal static class FlowCookie
{
    public const string SecureName = "__Host-koderid_flow";
    public const string DevelopmentName = "koderid_flow";

    private static string NameFor(OidcTenant tenant) => SsoCookie.IsSecure(tenant) ? SecureName : DevelopmentName;

    public static string? Read(HttpRequest request)
    {
        var value = request.Cookies[SecureName] ?? request.Cookies[DevelopmentName];
        return string.IsNullOrEmpty(value) || value.Length > 64 ? null : value;
    }

    public static void Write(HttpResponse response, OidcTenant tenant, string flowId, DateTimeOffset expires) =>
        response.Cookies.Append(NameFor(tenant), flowId, Options(tenant, expires));

    public static void Delete(HttpResponse response, OidcTenant tenant) =>
        response.Cookies.Delete(NameFor(tenant), Options(tenant, null));

    private static CookieOptions Options(OidcTenant tenant, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = SsoCookie.IsSecure(tenant),
        SameSite = SameSiteMode.Strict,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };
}
