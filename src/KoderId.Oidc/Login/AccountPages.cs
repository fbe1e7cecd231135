using System.Text;
using KoderId.Application.Credentials;
using KoderId.Application.Credentials.Commands;
using KoderId.Application.Flows;
using KoderId.Application.Sessions;
using KoderId.Domain.Sessions;
using KoderId.Oidc.Authorize;
using KoderId.Oidc.Common;
using KoderId.Projections.Sessions;
using Mediator;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Login;

/// <summary>
/// The self-service pages under <c>/ui/account</c>, authenticated by the SSO cookie: the index, password change and
/// the session list. Without a session they answer 303 to <c>/ui/login?return=...</c>. Forms post with antiforgery
/// and answer 303 like the login page. The MFA and passkey pages live with their features.
/// </summary>
public static class AccountPages
{
    public const string Index = "/ui/account";
    public const string Password = Index + "/password";
    public const string Sessions = Index + "/sessions";

    /// <summary>How recent a sign-in must be for a sensitive change (ADR 0006 shared context).</summary>
    public static readonly TimeSpan RecentAuthentication = TimeSpan.FromMinutes(5);

    public static IEndpointRouteBuilder MapAccountPages(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(Index, IndexAsync).ExcludeFromDescription();
        endpoints.MapGet(Password, PasswordPageAsync).ExcludeFromDescription();
        endpoints.MapPost(Password, ChangePasswordAsync).ExcludeFromDescription().DisableAntiforgery();
        endpoints.MapGet(Sessions, SessionsPageAsync).ExcludeFromDescription();
        endpoints.MapPost(Sessions + "/revoke", RevokeAsync).ExcludeFromDescription().DisableAntiforgery();
        return endpoints;
    }

    /// <summary>
    /// The signed-in browser's tenant and session, or null after answering 303 to the login page with
    /// <c>return</c> = this page (and <c>prompt=login</c> when <paramref name="recent"/> asks for a sign-in in the last 5 minutes).
    /// </summary>
    public static async Task<(OidcTenant Tenant, SsoSession Session)?> RequireSessionAsync(HttpContext http, string returnPath, bool recent = false)
    {
        ArgumentNullException.ThrowIfNull(http);
        var tenant = await http.RequestServices.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: true, http.RequestAborted).ConfigureAwait(false);
        var session = SsoCookie.Read(http.Request, tenant) is { } cookie
            ? await http.RequestServices.GetRequiredService<ISsoSessions>().FindAsync(tenant.TenantId, cookie, http.RequestAborted).ConfigureAwait(false)
            : null;
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        if (session is null || (recent && now - session.AuthTime > RecentAuthentication))
        {
            var query = new Dictionary<string, string?> { ["return"] = returnPath };
            if (session is not null)
            {
                query["prompt"] = "login";
            }

            AuthorizeFlow.SeeOther(http, QueryHelpers.AddQueryString(OidcPaths.Login, query));
            return null;
        }

        return (tenant, session);
    }

    private static async Task IndexAsync(HttpContext http)
    {
        if (await RequireSessionAsync(http, Index).ConfigureAwait(false) is null)
        {
            return;
        }

        const string body = """
            <h1>Your account</h1>
            <ul>
            <li><a href="/ui/account/mfa">Two-step verification</a></li>
            <li><a href="/ui/account/passkeys">Passkeys</a></li>
            <li><a href="/ui/account/password">Password</a></li>
            <li><a href="/ui/account/sessions">Where you're signed in</a></li>
            </ul>
            """;
        await Pages.WriteAsync(http, StatusCodes.Status200OK, "Your account", body).ConfigureAwait(false);
    }

    private static async Task PasswordPageAsync(HttpContext http)
    {
        if (await RequireSessionAsync(http, Password).ConfigureAwait(false) is null)
        {
            return;
        }

        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        var message = http.Request.Query["e"].ToString() switch
        {
            "1" => "<p class=\"error\" role=\"alert\">The current password is not correct.</p>",
            "2" => $"<p class=\"error\" role=\"alert\">The new password does not meet the policy{PolicyText(http.Request.Query["r"])}.</p>",
            "3" => "<p class=\"error\" role=\"alert\">Too many failed attempts. Wait a while and try again.</p>",
            _ => http.Request.Query["done"] == "1" ? "<p role=\"status\">Your password was changed.</p>" : "",
        };
        var body = $"""
            <h1>Change password</h1>
            {message}
            <form method="post" action="{Password}">
            <input type="hidden" name="{Pages.Encode(tokens.FormFieldName)}" value="{Pages.Encode(tokens.RequestToken)}">
            <label for="current-password">Current password</label>
            <input type="password" id="current-password" name="current" autocomplete="current-password" required>
            <label for="new-password">New password</label>
            <input type="password" id="new-password" name="new" autocomplete="new-password" required>
            <button type="submit">Change password</button>
            </form>
            <p><a href="{Index}">Back to your account</a></p>
            """;
        await Pages.WriteAsync(http, StatusCodes.Status200OK, "Change password", body).ConfigureAwait(false);
    }

    private static async Task ChangePasswordAsync(HttpContext http)
    {
        var form = await Pages.ReadFormAsync(http).ConfigureAwait(false);
        if (form is null || await RequireSessionAsync(http, Password).ConfigureAwait(false) is not { } signedIn)
        {
            return;
        }

        var (tenant, session) = signedIn;
        var current = form["current"].ToString();
        var next = form["new"].ToString();
        if (form["current"].Count != 1 || form["new"].Count != 1 || current.Length is 0 or > PasswordFactor.MaxPasswordLength || next.Length is 0 or > PasswordFactor.MaxPasswordLength)
        {
            AuthorizeFlow.SeeOther(http, Password + "?e=1");
            return;
        }

        // Proving the current password is an authentication like any other: the lock and the counters apply.
        var guard = http.RequestServices.GetRequiredService<FlowGuard>();
        var ip = http.Connection.RemoteIpAddress?.ToString();
        var ct = http.RequestAborted;
        try
        {
            await guard.EnsureNotThrottledAsync(tenant.TenantId, ip, ct).ConfigureAwait(false);
            if (await guard.IsLockedAsync(tenant.TenantId, session.UserId, ct).ConfigureAwait(false))
            {
                AuthorizeFlow.SeeOther(http, Password + "?e=3");
                return;
            }

            await http.RequestServices.GetRequiredService<ISender>().Send(new ChangePassword(tenant.TenantId, session.UserId, current, next), ct).ConfigureAwait(false);
        }
        catch (FlowException)
        {
            AuthorizeFlow.SeeOther(http, Password + "?e=3");
            return;
        }
        catch (InvalidCredentialsException)
        {
            await guard.RecordFailureAsync(tenant.TenantId, session.UserId, ip, ct).ConfigureAwait(false);
            AuthorizeFlow.SeeOther(http, Password + "?e=1");
            return;
        }
        catch (PasswordPolicyException policy)
        {
            AuthorizeFlow.SeeOther(http, QueryHelpers.AddQueryString(Password + "?e=2", "r", string.Join(',', policy.Codes)));
            return;
        }

        await guard.RecordSuccessAsync(tenant.TenantId, session.UserId, ip, ct).ConfigureAwait(false);
        AuthorizeFlow.SeeOther(http, Password + "?done=1");
    }

    private static async Task SessionsPageAsync(HttpContext http)
    {
        if (await RequireSessionAsync(http, Sessions).ConfigureAwait(false) is not { } signedIn)
        {
            return;
        }

        var (tenant, current) = signedIn;
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var sessions = await http.RequestServices.GetRequiredService<SessionDirectory>().ListActiveForUserAsync(tenant.TenantId, current.UserId, now, http.RequestAborted).ConfigureAwait(false);
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        var rows = new StringBuilder();
        foreach (var s in sessions)
        {
            var mine = s.SessionId == current.SessionId;
            rows.Append(System.Globalization.CultureInfo.InvariantCulture, $"""
                <li class="session" data-session="{Pages.Encode(s.SessionId)}">
                <strong>{Pages.Encode(s.Device ?? "Unknown device")}</strong>{(mine ? " (this browser)" : "")}<br>
                {Pages.Encode(s.ClientIp ?? "")} · signed in {Pages.Encode(s.StartedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture))}
                <form method="post" action="{Sessions}/revoke">
                <input type="hidden" name="{Pages.Encode(tokens.FormFieldName)}" value="{Pages.Encode(tokens.RequestToken)}">
                <input type="hidden" name="sid" value="{Pages.Encode(s.SessionId)}">
                <button type="submit" class="secondary">{(mine ? "Sign out" : "Sign out this session")}</button>
                </form>
                </li>
                """);
        }

        var body = $"""
            <h1>Where you're signed in</h1>
            <ul>{rows}</ul>
            <p><a href="{Index}">Back to your account</a></p>
            """;
        await Pages.WriteAsync(http, StatusCodes.Status200OK, "Sessions", body).ConfigureAwait(false);
    }

    private static async Task RevokeAsync(HttpContext http)
    {
        var form = await Pages.ReadFormAsync(http).ConfigureAwait(false);
        if (form is null || await RequireSessionAsync(http, Sessions).ConfigureAwait(false) is not { } signedIn)
        {
            return;
        }

        var (tenant, current) = signedIn;
        var sid = form["sid"].ToString();
        if (form["sid"].Count == 1 && sid.Length is > 0 and <= 64)
        {
            try
            {
                // The user id scopes the revoke: another user's session is not found, and nothing is revoked.
                await http.RequestServices.GetRequiredService<ISender>().Send(
                    new RevokeSession(tenant.TenantId, sid, SessionRevokeReasons.Logout, current.UserId), http.RequestAborted).ConfigureAwait(false);
            }
            catch (KoderId.Domain.DomainException)
            {
                // Unknown or someone else's: the list is shown again, unchanged.
            }
        }

        if (sid == current.SessionId)
        {
            SsoCookie.Delete(http.Response, tenant);
            AuthorizeFlow.SeeOther(http, QueryHelpers.AddQueryString(OidcPaths.Login, "return", Index));
            return;
        }

        AuthorizeFlow.SeeOther(http, Sessions);
    }

    private static string PolicyText(string? codes) =>
        string.IsNullOrEmpty(codes) ? "" : " (" + Pages.Encode(string.Join(", ", codes.Split(',').Take(8))) + ")";
}
