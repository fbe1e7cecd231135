using System.Text;
using System.Text.Json;
using KoderId.Application.Common;
using KoderId.Application.Mfa;
using KoderId.Domain;
using KoderId.Oidc.Authorize;
using KoderId.Oidc.Common;
using KoderId.Oidc.Login;
using Mediator;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Mfa;

/// <summary>
/// <c>/ui/account/mfa</c>: the signed-in user sets up an authenticator app (QR code and secret, then a code to
/// confirm), removes it, and regenerates recovery codes. Authenticated by the SSO cookie; without a session the
/// browser goes to <c>/ui/login?return=/ui/account/mfa</c>. Each POST checks the antiforgery token, acts and
/// answers 303. Removing needs a sign-in within the last <see cref="ReauthenticationWindow"/>, otherwise the browser
/// is sent to sign in again (<c>prompt=login</c>). The QR code is a <c>data:</c> PNG, which the pages' CSP allows
/// (<c>img-src 'self' data:</c>), so no second authenticated endpoint serves it.
/// </summary>
/// <remarks>
/// New recovery codes must be shown once, after the 303: they travel in a short-lived cookie sealed with Data
/// Protection (5 minutes, bound to the session), scoped to this path, and deleted by the GET that shows them.
/// </remarks>
public static class MfaPages
{
    public const string Path = "/ui/account/mfa";
    public static readonly TimeSpan ReauthenticationWindow = TimeSpan.FromMinutes(5);

    private const string CodesCookie = "koderid_mfa_codes";
    private const string CodesPurpose = "KoderId.Mfa.RecoveryCodes.v1";

    public static IEndpointRouteBuilder MapMfaPages(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(Path, PageAsync).ExcludeFromDescription();
        endpoints.MapPost(Path, PostAsync).ExcludeFromDescription().DisableAntiforgery();
        return endpoints;
    }

    private static async Task PageAsync(HttpContext http)
    {
        var (tenant, session) = await SignedInAsync(http).ConfigureAwait(false);
        if (tenant is null || session is null)
        {
            return;
        }

        var ct = http.RequestAborted;
        var mediator = http.RequestServices.GetRequiredService<IMediator>();
        var status = await mediator.Send(new GetMfaStatus(tenant.TenantId, session.UserId), ct).ConfigureAwait(false);
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        var csrf = $"<input type=\"hidden\" name=\"{Pages.Encode(tokens.FormFieldName)}\" value=\"{Pages.Encode(tokens.RequestToken)}\">";
        var codes = TakeCodes(http, tenant, session);
        var body = new StringBuilder("<h1>Two-step verification</h1>");
        body.Append(Message(http.Request.Query["m"], http.Request.Query["e"]));

        if (status.TotpEnrolled)
        {
            body.Append("<p>An authenticator app is set up for your account.</p>");
            body.Append(Form(csrf, "remove", "Remove authenticator app", secondary: true));
        }
        else if (status.TotpPending)
        {
            var pending = await mediator.Send(new GetPendingTotp(tenant.TenantId, session.UserId), ct).ConfigureAwait(false);
            var png = Convert.ToBase64String(TotpQrCode.Png(pending.OtpAuthUri));
            var size = TotpQrCode.Modules(pending.OtpAuthUri) * TotpQrCode.PixelsPerModule;
            body.Append($"""
                <p>Scan this code with your authenticator app, or enter the key by hand.</p>
                <p><img src="data:image/png;base64,{png}" width="{size}" height="{size}" alt="QR code for your authenticator app"></p>
                <p>Key: <code id="secret">{Pages.Encode(GroupSecret(pending.Secret))}</code></p>
                <form method="post" action="{Path}">
                {csrf}
                <input type="hidden" name="action" value="confirm">
                <label for="code">Code from the app</label>
                <input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" maxlength="7" required autofocus>
                <button type="submit">Confirm</button>
                </form>
                """);
            body.Append(Form(csrf, "remove", "Cancel set-up", secondary: true));
        }
        else
        {
            body.Append("<p>Protect your account with a code from an authenticator app when you sign in.</p>");
            body.Append(Form(csrf, "start", "Set up authenticator app"));
        }

        body.Append("<h2>Recovery codes</h2>");
        if (codes is not null)
        {
            body.Append("<p>Save these codes somewhere safe. Each works once, and they are shown only now.</p><ul id=\"recovery-codes\">");
            foreach (var code in codes)
            {
                body.Append($"<li><code>{Pages.Encode(code)}</code></li>");
            }

            body.Append("</ul>");
        }
        else
        {
            body.Append(status.RecoveryCodesTotal == 0
                ? "<p>You have no recovery codes.</p>"
                : $"<p>{status.RecoveryCodesRemaining} of {status.RecoveryCodesTotal} recovery codes unused.</p>");
        }

        body.Append(Form(csrf, "recovery-codes", status.RecoveryCodesTotal == 0 ? "Generate recovery codes" : "Replace recovery codes", secondary: status.RecoveryCodesTotal > 0));
        await Pages.WriteAsync(http, StatusCodes.Status200OK, "Two-step verification", body.ToString()).ConfigureAwait(false);
    }

    private static async Task PostAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status415UnsupportedMediaType, "The form must be posted as application/x-www-form-urlencoded.").ConfigureAwait(false);
            return;
        }

        var (tenant, session) = await SignedInAsync(http).ConfigureAwait(false);
        if (tenant is null || session is null)
        {
            return;
        }

        try
        {
            await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "The form expired or was not sent by this page. Go back and try again.").ConfigureAwait(false);
            return;
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        var ct = http.RequestAborted;
        var mediator = http.RequestServices.GetRequiredService<IMediator>();
        http.RequestServices.GetRequiredService<RequestContext>().Actor = $"user:{tenant.TenantId}/{session.UserId}";
        var action = form["action"].Count == 1 ? form["action"].ToString() : "";
        try
        {
            switch (action)
            {
                case "start":
                    await mediator.Send(new StartTotpEnrolment(tenant.TenantId, session.UserId), ct).ConfigureAwait(false);
                    AuthorizeFlow.SeeOther(http, Path);
                    return;
                case "confirm":
                    await mediator.Send(new ConfirmTotp(tenant.TenantId, session.UserId, form["code"].Count == 1 ? form["code"].ToString() : ""), ct).ConfigureAwait(false);
                    AuthorizeFlow.SeeOther(http, Path + "?m=enrolled");
                    return;
                case "remove":
                    var status = await mediator.Send(new GetMfaStatus(tenant.TenantId, session.UserId), ct).ConfigureAwait(false);
                    var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
                    if (status.TotpEnrolled && now - session.AuthTime > ReauthenticationWindow)
                    {
                        AuthorizeFlow.SeeOther(http, QueryHelpers.AddQueryString(OidcPaths.Login, new Dictionary<string, string?> { ["return"] = Path, ["prompt"] = "login" }));
                        return;
                    }

                    await mediator.Send(new RemoveTotp(tenant.TenantId, session.UserId, TotpRemovalProof.RecentSignIn), ct).ConfigureAwait(false);
                    AuthorizeFlow.SeeOther(http, Path + "?m=removed");
                    return;
                case "recovery-codes":
                    var set = await mediator.Send(new GenerateRecoveryCodes(tenant.TenantId, session.UserId), ct).ConfigureAwait(false);
                    PutCodes(http, tenant, session, set.Codes);
                    AuthorizeFlow.SeeOther(http, Path);
                    return;
                default:
                    await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "The form is not one this page sends. Go back and try again.").ConfigureAwait(false);
                    return;
            }
        }
        catch (DomainException ex) when (ErrorKey(ex.Code) is { } key)
        {
            AuthorizeFlow.SeeOther(http, Path + "?e=" + key);
        }
    }

    /// <summary>The tenant and the browser's active session; null after answering 303 to the login page (with <c>return</c>).</summary>
    private static async Task<(OidcTenant? Tenant, SsoSession? Session)> SignedInAsync(HttpContext http)
    {
        var tenant = await http.RequestServices.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: true, http.RequestAborted).ConfigureAwait(false);
        var cookie = SsoCookie.Read(http.Request, tenant);
        var session = cookie is null ? null : await http.RequestServices.GetRequiredService<ISsoSessions>().FindAsync(tenant.TenantId, cookie, http.RequestAborted).ConfigureAwait(false);
        if (session is null)
        {
            AuthorizeFlow.SeeOther(http, QueryHelpers.AddQueryString(OidcPaths.Login, "return", Path));
            return (tenant, null);
        }

        return (tenant, session);
    }

    private static string? ErrorKey(string code) => code switch
    {
        DomainErrors.TotpMalformedCode or DomainErrors.TotpInvalidCode => "code",
        DomainErrors.TotpAlreadyEnrolled => "enrolled",
        DomainErrors.TotpNoPendingEnrolment => "pending",
        DomainErrors.TotpNotFound => "none",
        _ => null,
    };

    private static string Message(string? message, string? error) => (message, error) switch
    {
        (_, "code") => Alert("That code did not work. Enter the current 6-digit code from the app."),
        (_, "enrolled") => Alert("An authenticator app is already set up."),
        (_, "pending") => Alert("The set-up expired or was restarted. Start again."),
        (_, "none") => Alert("There is no authenticator app to remove."),
        ("enrolled", _) => "<p role=\"status\">Your authenticator app is set up.</p>",
        ("removed", _) => "<p role=\"status\">The authenticator app was removed.</p>",
        _ => "",
    };

    private static string Alert(string text) => $"<p class=\"error\" role=\"alert\">{Pages.Encode(text)}</p>";

    private static string Form(string csrf, string action, string label, bool secondary = false) => $"""
        <form method="post" action="{Path}">
        {csrf}
        <input type="hidden" name="action" value="{action}">
        <button type="submit"{(secondary ? " class=\"secondary\"" : "")}>{Pages.Encode(label)}</button>
        </form>
        """;

    private static string GroupSecret(string secret) => string.Join(' ', secret.Chunk(4).Select(c => new string(c)));

    private static void PutCodes(HttpContext http, OidcTenant tenant, SsoSession session, IReadOnlyList<string> codes)
    {
        var protector = Protector(http);
        var payload = JsonSerializer.Serialize(new ShownCodes(tenant.TenantId, session.SessionId, [.. codes]));
        http.Response.Cookies.Append(CookieName(tenant), protector.Protect(payload, ReauthenticationWindow), CookieOptions(tenant));
    }

    private static IReadOnlyList<string>? TakeCodes(HttpContext http, OidcTenant tenant, SsoSession session)
    {
        var value = http.Request.Cookies[CookieName(tenant)];
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        http.Response.Cookies.Delete(CookieName(tenant), CookieOptions(tenant));
        try
        {
            var shown = JsonSerializer.Deserialize<ShownCodes>(Protector(http).Unprotect(value));
            return shown is not null && shown.TenantId == tenant.TenantId && shown.SessionId == session.SessionId ? shown.Codes : null;
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException)
        {
            return null;
        }
    }

    private static ITimeLimitedDataProtector Protector(HttpContext http) =>
        http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(CodesPurpose).ToTimeLimitedDataProtector();

    private static string CookieName(OidcTenant tenant) => SsoCookie.IsSecure(tenant) ? "__Secure-" + CodesCookie : CodesCookie;

    private static CookieOptions CookieOptions(OidcTenant tenant) => new()
    {
        HttpOnly = true,
        Secure = SsoCookie.IsSecure(tenant),
        SameSite = SameSiteMode.Strict,
        Path = Path,
        IsEssential = true,
    };

    private sealed record ShownCodes(string TenantId, string SessionId, string[] Codes);
}
