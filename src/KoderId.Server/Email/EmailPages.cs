using KoderId.Application.Common;
using KoderId.Application.Credentials;
using KoderId.Application.Email;
using KoderId.Application.Flows;
using KoderId.Domain;
using KoderId.Oidc.Authorize;
using KoderId.Oidc.Common;
using KoderId.Oidc.Login;
using Mediator;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.WebUtilities;

namespace KoderId.Server.Email;

/// <summary>
/// The hosted pages email links open (ADR 0006). A GET never consumes a link (mail scanners fetch links): it
/// renders a form with an antiforgery token; the POST acts and answers 303. The tenant is the Host's, and a
/// link sealed for another tenant is refused.
/// </summary>
public static class EmailPages
{
    public const string VerifyDone = "/ui/email/verify/done";
    public const string ResetDone = "/ui/password/reset/done";
    public const string MagicDone = "/ui/login/magic/done";

    public static IEndpointRouteBuilder MapEmailPages(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(EmailMailer.VerifyPath, VerifyPageAsync).ExcludeFromDescription().AllowAnonymous();
        endpoints.MapPost(EmailMailer.VerifyPath, VerifyAsync).ExcludeFromDescription().AllowAnonymous().DisableAntiforgery();
        endpoints.MapGet(VerifyDone, VerifyDonePageAsync).ExcludeFromDescription().AllowAnonymous();
        endpoints.MapGet(EmailMailer.ResetPath, ResetPageAsync).ExcludeFromDescription().AllowAnonymous();
        endpoints.MapPost(EmailMailer.ResetPath, ResetAsync).ExcludeFromDescription().AllowAnonymous().DisableAntiforgery();
        endpoints.MapGet(ResetDone, ResetDonePageAsync).ExcludeFromDescription().AllowAnonymous();
        endpoints.MapGet(EmailMailer.MagicPath, MagicPageAsync).ExcludeFromDescription().AllowAnonymous();
        endpoints.MapPost(EmailMailer.MagicPath, MagicAsync).ExcludeFromDescription().AllowAnonymous().DisableAntiforgery();
        endpoints.MapGet(MagicDone, MagicDonePageAsync).ExcludeFromDescription().AllowAnonymous();
        return endpoints;
    }

    private static async Task VerifyPageAsync(HttpContext http)
    {
        var tenant = await TenantAsync(http);
        var token = http.Request.Query["token"].ToString();
        if (!await IsLiveAsync(http, EmailLinks.VerifyKind, tenant.TenantId, token))
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "This link is not valid, was already used or has expired. Ask for a new one.");
            return;
        }

        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        await Pages.WriteAsync(http, StatusCodes.Status200OK, "Confirm your email address", $"""
            <h1>Confirm your email address</h1>
            <p>Confirm that this email address belongs to you.</p>
            <form method="post" action="{EmailMailer.VerifyPath}">
            <input type="hidden" name="{Pages.Encode(tokens.FormFieldName)}" value="{Pages.Encode(tokens.RequestToken)}">
            <input type="hidden" name="token" value="{Pages.Encode(token)}">
            <button type="submit">Confirm</button>
            </form>
            """);
    }

    private static async Task VerifyAsync(HttpContext http)
    {
        var form = await Pages.ReadFormAsync(http);
        if (form is null)
        {
            return;
        }

        var tenant = await TenantAsync(http);
        try
        {
            await http.RequestServices.GetRequiredService<IMediator>().Send(new ConfirmEmailVerification(tenant.TenantId, Single(form, "token")), http.RequestAborted);
            SeeOther(http, VerifyDone);
        }
        catch (DomainException)
        {
            SeeOther(http, VerifyDone + "?e=1");
        }
    }

    private static Task VerifyDonePageAsync(HttpContext http) =>
        http.Request.Query["e"] == "1"
            ? Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "This link is not valid, was already used or has expired. Ask for a new one.")
            : Pages.WriteAsync(http, StatusCodes.Status200OK, "Email address confirmed", "<h1>Email address confirmed</h1>\n<p>Thank you: your email address is confirmed. You can close this page.</p>");

    private static async Task ResetPageAsync(HttpContext http)
    {
        var tenant = await TenantAsync(http);
        var token = http.Request.Query["token"].ToString();
        if (!await IsLiveAsync(http, EmailLinks.ResetKind, tenant.TenantId, token))
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "This link is not valid, was already used or has expired. Ask for a new one.");
            return;
        }

        var error = http.Request.Query["e"].ToString() switch
        {
            "mismatch" => "The two passwords are not the same.",
            "policy" => "That password is not allowed: choose a longer one that is not common and does not contain your name or email address.",
            _ => null,
        };
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        await Pages.WriteAsync(http, StatusCodes.Status200OK, "Choose a new password", $"""
            <h1>Choose a new password</h1>
            {(error is null ? "" : $"<p class=\"error\" role=\"alert\">{Pages.Encode(error)}</p>")}
            <form method="post" action="{EmailMailer.ResetPath}">
            <input type="hidden" name="{Pages.Encode(tokens.FormFieldName)}" value="{Pages.Encode(tokens.RequestToken)}">
            <input type="hidden" name="token" value="{Pages.Encode(token)}">
            <label for="password">New password</label>
            <input type="password" id="password" name="password" autocomplete="new-password" required autofocus>
            <label for="confirm">New password again</label>
            <input type="password" id="confirm" name="confirm" autocomplete="new-password" required>
            <button type="submit">Set password</button>
            </form>
            """);
    }

    private static async Task ResetAsync(HttpContext http)
    {
        var form = await Pages.ReadFormAsync(http);
        if (form is null)
        {
            return;
        }

        var tenant = await TenantAsync(http);
        var token = Single(form, "token");
        var password = Single(form, "password");
        var again = Single(form, "confirm");
        var back = QueryHelpers.AddQueryString(EmailMailer.ResetPath, "token", token);
        if (password.Length == 0 || !string.Equals(password, again, StringComparison.Ordinal))
        {
            SeeOther(http, QueryHelpers.AddQueryString(back, "e", "mismatch"));
            return;
        }

        try
        {
            await http.RequestServices.GetRequiredService<IMediator>().Send(new ResetPasswordWithLink(tenant.TenantId, token, password), http.RequestAborted);
            SeeOther(http, ResetDone);
        }
        catch (PasswordPolicyException)
        {
            SeeOther(http, QueryHelpers.AddQueryString(back, "e", "policy"));
        }
        catch (DomainException)
        {
            SeeOther(http, ResetDone + "?e=1");
        }
    }

    private static Task ResetDonePageAsync(HttpContext http) =>
        http.Request.Query["e"] == "1"
            ? Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "This link is not valid, was already used or has expired. Ask for a new one.")
            : Pages.WriteAsync(http, StatusCodes.Status200OK, "Password changed", "<h1>Password changed</h1>\n<p>Your password is changed and every device was signed out. Sign in again with the new password.</p>");

    /// <summary>The magic link of an <c>email-otp</c> step: a button, so a mail scanner's GET spends nothing.</summary>
    private static async Task MagicPageAsync(HttpContext http)
    {
        await TenantAsync(http);
        var flow = http.Request.Query["flow"].ToString();
        var token = http.Request.Query["token"].ToString();
        if (flow.Length is 0 or > 64 || token.Length is 0 or > 128)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "This sign-in link is not valid. Start signing in again.");
            return;
        }

        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        await Pages.WriteAsync(http, StatusCodes.Status200OK, "Sign in", $"""
            <h1>Sign in</h1>
            <p>Continue signing in with the link from your email.</p>
            <form method="post" action="{EmailMailer.MagicPath}">
            <input type="hidden" name="{Pages.Encode(tokens.FormFieldName)}" value="{Pages.Encode(tokens.RequestToken)}">
            <input type="hidden" name="flow" value="{Pages.Encode(flow)}">
            <input type="hidden" name="token" value="{Pages.Encode(token)}">
            <button type="submit">Continue</button>
            </form>
            """);
    }

    /// <summary>
    /// Answers the flow's <c>email-otp</c> step with the link's token. Completing sets the SSO cookie (as the hosted
    /// login page's cookie mode does); a flow that still needs a second factor continues where it was started.
    /// </summary>
    private static async Task MagicAsync(HttpContext http)
    {
        var form = await Pages.ReadFormAsync(http);
        if (form is null)
        {
            return;
        }

        var tenant = await TenantAsync(http);
        var ct = http.RequestAborted;
        var flowId = Single(form, "flow");
        var token = Single(form, "token");
        FlowView flow;
        try
        {
            var answer = System.Text.Json.JsonSerializer.SerializeToElement(new { token });
            var clientIp = http.RequestServices.GetRequiredService<RequestContext>().ClientIp;
            flow = await http.RequestServices.GetRequiredService<FlowEngine>().AnswerAsync(
                tenant.TenantId, flowId, EmailOtpFactor.StepName, answer, new Uri(tenant.Issuer).GetLeftPart(UriPartial.Authority), clientIp, ct);
        }
        catch (Exception ex) when (ex is FlowException or DomainException)
        {
            SeeOther(http, MagicDone + "?e=1");
            return;
        }

        if (flow.Session is not { } session)
        {
            SeeOther(http, MagicDone + "?pending=1");
            return;
        }

        var sessions = http.RequestServices.GetRequiredService<ISsoSessions>();
        if (SsoCookie.Read(http.Request, tenant) is { } previous
            && await sessions.FindToEndAsync(tenant.TenantId, previous, ct) is { } old
            && old.SessionId != session.Id)
        {
            await sessions.RevokeAsync(tenant.TenantId, old.SessionId, "logout", ct);
        }

        SsoCookie.Write(http.Response, tenant, session.Token, session.ExpiresAt);
        SeeOther(http, MagicDone);
    }

    private static Task MagicDonePageAsync(HttpContext http) =>
        http.Request.Query["e"] == "1"
            ? Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "This sign-in link is not valid, was already used or has expired. Start signing in again.")
            : http.Request.Query["pending"] == "1"
                ? Pages.WriteAsync(http, StatusCodes.Status200OK, "Almost there", "<h1>Almost there</h1>\n<p>Your email is confirmed. Finish signing in with your second factor where you started.</p>")
                : Pages.WriteAsync(http, StatusCodes.Status200OK, "Signed in", "<h1>Signed in</h1>\n<p>You are signed in. You can return to the application.</p>");

    private static async Task<bool> IsLiveAsync(HttpContext http, string kind, string tenantId, string token)
    {
        try
        {
            var links = http.RequestServices.GetRequiredService<EmailLinks>();
            return await links.IsUnusedAsync(links.Read(kind, tenantId, token), http.RequestAborted);
        }
        catch (DomainException)
        {
            return false;
        }
    }

    private static string Single(IFormCollection form, string name) => form[name].Count == 1 ? form[name].ToString() : "";

    private static async Task<OidcTenant> TenantAsync(HttpContext http) =>
        await http.RequestServices.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: true, http.RequestAborted);

    private static void SeeOther(HttpContext http, string location)
    {
        http.Response.StatusCode = StatusCodes.Status303SeeOther;
        http.Response.Headers.Location = location;
        http.Response.Headers.CacheControl = "no-store";
    }
}
