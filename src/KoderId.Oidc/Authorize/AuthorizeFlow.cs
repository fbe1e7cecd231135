using KoderId.Domain;
using KoderId.Oidc.Common;
using KoderId.Oidc.Login;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace KoderId.Oidc.Authorize;

/// <summary>
/// What happens once an authorization request is valid: sign-in (or a fresh one for <c>prompt=login</c> and
/// <c>max_age</c>), consent for third-party clients, then the code — each answered with a redirect. The
/// authorize endpoint, the login page and the consent page all come back here.
/// </summary>
public sealed class AuthorizeFlow(
    ISsoSessions sessions,
    IAuthorizeClients clients,
    IAuthorizationCodeIssuer codes,
    IConsents consents,
    PendingAuthorization pending,
    TimeProvider time)
{
    /// <summary>Continues a valid request: to the login page, the consent page, or the client with a code.</summary>
    public async Task ContinueAsync(HttpContext http, OidcTenant tenant, ValidatedAuthorizeRequest request, bool consentGiven, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        var client = await clients.FindAsync(tenant.TenantId, request.ClientId, ct).ConfigureAwait(false);
        if (client is null)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "The client is no longer registered.").ConfigureAwait(false);
            return;
        }

        var cookie = SsoCookie.Read(http.Request, tenant);
        var session = cookie is null ? null : await sessions.FindAsync(tenant.TenantId, cookie, ct).ConfigureAwait(false);
        if (session is null || !IsFreshEnough(session, request))
        {
            SignInRequired(http, tenant, request);
            return;
        }

        // Third-party clients need the user's approval of the scopes, remembered once given; prompt=consent asks again.
        var needsConsent = !consentGiven && (request.PromptConsent
            || (!client.FirstParty && !await consents.CoversAsync(tenant.TenantId, session.UserId, client.ClientId, request.Scopes, ct).ConfigureAwait(false)));
        if (consentGiven)
        {
            await consents.GiveAsync(tenant.TenantId, session.UserId, client.ClientId, request.Scopes, ct).ConfigureAwait(false);
        }

        if (needsConsent)
        {
            if (request.PromptNone)
            {
                Redirect(http, tenant, request, OAuthErrors.ConsentRequired, "The user must approve this application.");
                return;
            }

            SeeOther(http, QueryHelpers.AddQueryString(OidcPaths.Consent, "ar", pending.Protect(request)));
            return;
        }

        string code;
        try
        {
            code = await codes.IssueAsync(request, session, ct).ConfigureAwait(false);
        }
        catch (DomainException ended) when (ended.Code is DomainErrors.SessionRevoked or DomainErrors.SessionUserInactive)
        {
            // The session ended, or its user was disabled, deleted or erased, after the cookie was checked (ADR 0008): as if there were none.
            SignInRequired(http, tenant, request);
            return;
        }

        var location = QueryHelpers.AddQueryString(request.RedirectUri, new Dictionary<string, string?>
        {
            [AuthorizeParameters.Code] = code,
            [AuthorizeParameters.State] = request.State,
            [AuthorizeParameters.Iss] = tenant.Issuer,
        }.Where(p => p.Value is not null));
        SeeOther(http, location);
    }

    /// <summary>No usable session: <c>login_required</c> for <c>prompt=none</c> (OIDC Core §3.1.2.6), else the login page.</summary>
    private void SignInRequired(HttpContext http, OidcTenant tenant, ValidatedAuthorizeRequest request)
    {
        if (request.PromptNone)
        {
            Redirect(http, tenant, request, OAuthErrors.LoginRequired, "The user must sign in.");
            return;
        }

        SeeOther(http, QueryHelpers.AddQueryString(OidcPaths.Login, "ar", pending.Protect(request)));
    }

    /// <summary>An error sent back to the verified redirect URI with <c>state</c> and <c>iss</c> (RFC 6749 §4.1.2.1, RFC 9207).</summary>
    public static void Redirect(HttpContext http, OidcTenant tenant, string redirectUri, string? state, string error, string description)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(tenant);
        var parameters = new List<KeyValuePair<string, string?>>
        {
            new(AuthorizeParameters.Error, error),
            new(AuthorizeParameters.ErrorDescription, description),
        };
        if (state is not null)
        {
            parameters.Add(new(AuthorizeParameters.State, state));
        }

        parameters.Add(new(AuthorizeParameters.Iss, tenant.Issuer));
        SeeOther(http, QueryHelpers.AddQueryString(redirectUri, parameters));
    }

    public static void Redirect(HttpContext http, OidcTenant tenant, ValidatedAuthorizeRequest request, string error, string description) =>
        Redirect(http, tenant, request?.RedirectUri ?? throw new ArgumentNullException(nameof(request)), request.State, error, description);

    /// <summary>303: after a form post the browser must GET the next page (and a GET may be answered the same way).</summary>
    public static void SeeOther(HttpContext http, string location)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.StatusCode = StatusCodes.Status303SeeOther;
        http.Response.Headers.Location = location;
        http.Response.Headers.CacheControl = "no-store";
    }

    /// <summary>The origin a redirect URI sends the browser to, for the login page's <c>form-action</c>.</summary>
    public static string? OriginOf(string redirectUri) =>
        Uri.TryCreate(redirectUri, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri.GetLeftPart(UriPartial.Authority)
            : Uri.TryCreate(redirectUri, UriKind.Absolute, out var custom) ? custom.Scheme + ":" : null;

    private bool IsFreshEnough(SsoSession session, ValidatedAuthorizeRequest request)
    {
        // A sign-in made after the request arrived (the login page it was sent to) satisfies both prompt=login and
        // any max_age: without this, max_age=0 sends the user back to the login page forever, since the new
        // session is already some milliseconds old when the flow resumes.
        if (session.AuthTime >= request.ReceivedAt.AddSeconds(-1))
        {
            return true;
        }

        // prompt=login: a sign-in after the request arrived; max_age: a sign-in at most that many seconds ago.
        return !request.PromptLogin && (request.MaxAge is not { } maxAge || (time.GetUtcNow() - session.AuthTime).TotalSeconds <= maxAge);
    }
}
