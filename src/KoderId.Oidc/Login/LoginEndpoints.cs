using KoderId.Oidc.Authorize;
using KoderId.Oidc.Common;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Login;

/// <summary>
/// The hosted login and consent pages. Each GET renders a form with an antiforgery token; each POST checks it,
/// acts, and answers <c>303 See Other</c> (never a page a refresh would post again).
/// </summary>
public static class LoginEndpoints
{
    public const string Amr = "pwd";

    /// <summary>The acr of a password sign-in (one factor).</summary>
    public const string PasswordAcr = "urn:koderid:loa:1";

    public static IEndpointRouteBuilder MapLoginPages(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(OidcPaths.Login, LoginPageAsync).ExcludeFromDescription();
        endpoints.MapPost(OidcPaths.Login, LoginAsync).ExcludeFromDescription().DisableAntiforgery();
        endpoints.MapGet(OidcPaths.Consent, ConsentPageAsync).ExcludeFromDescription();
        endpoints.MapPost(OidcPaths.Consent, ConsentAsync).ExcludeFromDescription().DisableAntiforgery();
        return endpoints;
    }

    private static async Task LoginPageAsync(HttpContext http)
    {
        var (tenant, request) = await PendingAsync(http, http.Request.Query["ar"]).ConfigureAwait(false);
        if (tenant is null || request is null)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "The sign-in request expired or is invalid. Return to the application and start again.").ConfigureAwait(false);
            return;
        }

        var client = await http.RequestServices.GetRequiredService<IAuthorizeClients>().FindAsync(tenant.TenantId, request.ClientId, http.RequestAborted).ConfigureAwait(false);
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        var failed = http.Request.Query["e"] == "1";
        var body = $"""
            <h1>Sign in</h1>
            <p>to continue to {Pages.Encode(client?.Name ?? request.ClientId)}</p>
            {(failed ? "<p class=\"error\" role=\"alert\">Incorrect username or password.</p>" : "")}
            <form method="post" action="{OidcPaths.Login}">
            <input type="hidden" name="{Pages.Encode(tokens.FormFieldName)}" value="{Pages.Encode(tokens.RequestToken)}">
            <input type="hidden" name="ar" value="{Pages.Encode(http.Request.Query["ar"])}">
            <label for="username">Username or email</label>
            <input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="{Pages.Encode(request.LoginHint)}" {(request.LoginHint is null ? "autofocus" : "")}>
            <label for="password">Password</label>
            <input type="password" id="password" name="password" autocomplete="current-password" required {(request.LoginHint is null ? "" : "autofocus")}>
            <button type="submit">Sign in</button>
            </form>
            """;
        await Pages.WriteAsync(http, StatusCodes.Status200OK, "Sign in", body, FormTargets(request)).ConfigureAwait(false);
    }

    private static async Task LoginAsync(HttpContext http)
    {
        var form = await ReadFormAsync(http).ConfigureAwait(false);
        if (form is null)
        {
            return;
        }

        var (tenant, request) = await PendingAsync(http, form["ar"]).ConfigureAwait(false);
        if (tenant is null || request is null)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "The sign-in request expired or is invalid. Return to the application and start again.").ConfigureAwait(false);
            return;
        }

        var ct = http.RequestAborted;
        var username = form["username"].ToString().Trim();
        var password = form["password"].ToString();
        string? userId = null;
        if (username.Length is > 0 and <= 320 && password.Length is > 0 and <= 1024 && form["username"].Count == 1 && form["password"].Count == 1)
        {
            userId = await http.RequestServices.GetRequiredService<IPasswordLogin>().AuthenticateAsync(tenant.TenantId, username, password, ct).ConfigureAwait(false);
        }

        if (userId is null)
        {
            AuthorizeFlow.SeeOther(http, QueryHelpers.AddQueryString(OidcPaths.Login, new Dictionary<string, string?> { ["ar"] = form["ar"], ["e"] = "1" }));
            return;
        }

        var sessions = http.RequestServices.GetRequiredService<ISsoSessions>();
        var previous = SsoCookie.Read(http.Request, tenant);
        if (previous is not null && await sessions.FindAsync(tenant.TenantId, previous, ct).ConfigureAwait(false) is { } old)
        {
            // A new sign-in replaces the browser's session rather than leaving the old one alive behind it.
            await sessions.RevokeAsync(tenant.TenantId, old.SessionId, "logout", ct).ConfigureAwait(false);
        }

        var (session, cookie) = await sessions.StartAsync(tenant.TenantId, userId, [Amr], PasswordAcr, ct).ConfigureAwait(false);
        SsoCookie.Write(http.Response, tenant, cookie, session.ExpiresAt);
        AuthorizeFlow.SeeOther(http, QueryHelpers.AddQueryString(AuthorizeEndpoints.ContinuePath, "ar", form["ar"].ToString()));
    }

    private static async Task ConsentPageAsync(HttpContext http)
    {
        var (tenant, request) = await PendingAsync(http, http.Request.Query["ar"]).ConfigureAwait(false);
        if (tenant is null || request is null)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "The sign-in request expired or is invalid. Return to the application and start again.").ConfigureAwait(false);
            return;
        }

        var client = await http.RequestServices.GetRequiredService<IAuthorizeClients>().FindAsync(tenant.TenantId, request.ClientId, http.RequestAborted).ConfigureAwait(false);
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        var scopes = string.Concat(request.Scopes.Select(s => $"<li>{Pages.Encode(ScopeText(s))}</li>"));
        var body = $"""
            <h1>Allow access?</h1>
            <p><strong>{Pages.Encode(client?.Name ?? request.ClientId)}</strong> asks to:</p>
            <ul>{scopes}</ul>
            <form method="post" action="{OidcPaths.Consent}">
            <input type="hidden" name="{Pages.Encode(tokens.FormFieldName)}" value="{Pages.Encode(tokens.RequestToken)}">
            <input type="hidden" name="ar" value="{Pages.Encode(http.Request.Query["ar"])}">
            <button type="submit" name="decision" value="allow">Allow</button>
            <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
            </form>
            """;
        await Pages.WriteAsync(http, StatusCodes.Status200OK, "Allow access", body, FormTargets(request)).ConfigureAwait(false);
    }

    private static async Task ConsentAsync(HttpContext http)
    {
        var form = await ReadFormAsync(http).ConfigureAwait(false);
        if (form is null)
        {
            return;
        }

        var (tenant, request) = await PendingAsync(http, form["ar"]).ConfigureAwait(false);
        if (tenant is null || request is null)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "The sign-in request expired or is invalid. Return to the application and start again.").ConfigureAwait(false);
            return;
        }

        if (form["decision"] != "allow")
        {
            AuthorizeFlow.Redirect(http, tenant, request, OAuthErrors.AccessDenied, "The user denied the request.");
            return;
        }

        await http.RequestServices.GetRequiredService<AuthorizeFlow>().ContinueAsync(http, tenant, request, consentGiven: true, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The posted form after the content-type and antiforgery checks; null when an error page was written.</summary>
    private static async Task<IFormCollection?> ReadFormAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status415UnsupportedMediaType, "The form must be posted as application/x-www-form-urlencoded.").ConfigureAwait(false);
            return null;
        }

        try
        {
            await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "The form expired or was not sent by this page. Go back and try again.").ConfigureAwait(false);
            return null;
        }

        return await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<(OidcTenant? Tenant, ValidatedAuthorizeRequest? Request)> PendingAsync(HttpContext http, string? value)
    {
        var tenant = await http.RequestServices.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: true, http.RequestAborted).ConfigureAwait(false);
        return (tenant, http.RequestServices.GetRequiredService<PendingAuthorization>().Unprotect(tenant.TenantId, value));
    }

    private static string[] FormTargets(ValidatedAuthorizeRequest request) =>
        AuthorizeFlow.OriginOf(request.RedirectUri) is { } origin ? [origin] : [];

    private static string ScopeText(string scope) => scope switch
    {
        "openid" => "Sign you in",
        "profile" => "See your name and profile",
        "email" => "See your email address",
        "phone" => "See your phone number",
        "address" => "See your postal address",
        "offline_access" => "Stay signed in when you are away (refresh tokens)",
        "roles" => "See your roles",
        _ => scope,
    };
}
