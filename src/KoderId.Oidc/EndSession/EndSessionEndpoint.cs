using System.Text.Json;
using KoderId.Oidc.Authorize;
using KoderId.Oidc.Common;
using KoderId.Oidc.Keys;
using KoderId.Oidc.Login;
using KoderId.Projections.Clients;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace KoderId.Oidc.EndSession;

/// <summary>A refused end-session request: shown as an error page, never redirected (the redirect target is what failed).</summary>
public sealed class EndSessionException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>A validated RP-Initiated Logout request.</summary>
/// <param name="Client">From <c>client_id</c> or the hint's <c>aud</c>; null when neither names one.</param>
/// <param name="RedirectUri">A post-logout redirect URI registered by <see cref="Client"/>, exactly.</param>
/// <param name="HintSessionId">The <c>sid</c> of a valid <c>id_token_hint</c>.</param>
/// <param name="Confirmed">A POST of the confirmation page with a valid antiforgery token.</param>
public sealed record EndSessionRequest(
    OidcTenant Tenant, ClientView? Client, string? RedirectUri, string? State, bool HasValidHint, string? HintSessionId, bool Confirmed);

/// <summary>
/// RP-Initiated Logout 1.0 §2–3: <c>id_token_hint</c> verified by signature and issuer (an expired one is
/// accepted; <c>typ: JWT</c>), <c>client_id</c> (must be one of the hint's audiences when both are sent),
/// <c>post_logout_redirect_uri</c> exactly one the client registered (no client, unknown client or mismatch →
/// error page), <c>state</c> echoed, <c>ui_locales</c> and <c>logout_hint</c> ignored, no parameter twice.
/// </summary>
public sealed class EndSessionRequestValidator(JwtValidator jwt, ClientDirectory clients)
{
    public const int MaxBodyBytes = 64 * 1024;

    public async ValueTask<EndSessionRequest> ValidateAsync(HttpContext http, OidcTenant tenant)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(tenant);
        var ct = http.RequestAborted;
        IEnumerable<KeyValuePair<string, StringValues>> parameters = http.Request.Query;
        var confirmed = false;
        if (HttpMethods.IsPost(http.Request.Method))
        {
            var form = await ReadFormAsync(http).ConfigureAwait(false);
            if (form.ContainsKey("confirm"))
            {
                try
                {
                    await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http).ConfigureAwait(false);
                }
                catch (AntiforgeryValidationException)
                {
                    throw new EndSessionException(EndpointErrors.EndSessionFormExpired, "The sign-out form expired or was not sent by this page. Return to the application and sign out again.");
                }

                confirmed = true;
            }

            parameters = form;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in parameters)
        {
            if (value.Count > 1)
            {
                throw new EndSessionException(EndpointErrors.EndSessionInvalidRequest, "A parameter of the sign-out request is repeated.");
            }

            values[name] = value.ToString();
        }

        string? Get(string name) => values.TryGetValue(name, out var v) && v.Length > 0 ? v : null;
        var hint = Get("id_token_hint");
        var clientId = Get("client_id");
        var redirectUri = Get("post_logout_redirect_uri");
        var state = Get("state");
        if (state is { Length: > 2048 } || redirectUri is { Length: > 2048 } || clientId is { Length: > 256 })
        {
            throw new EndSessionException(EndpointErrors.EndSessionInvalidRequest, "A parameter of the sign-out request is too long.");
        }

        string? hintSid = null;
        IReadOnlyList<string> audiences = [];
        if (hint is not null)
        {
            var result = await jwt.ValidateAsync(tenant.TenantId, tenant.Issuer, hint, "JWT", checkExpiry: false, ct).ConfigureAwait(false);
            if (result.Token is not { } token)
            {
                throw new EndSessionException(EndpointErrors.EndSessionInvalidHint, $"The id_token_hint is not an ID token of this issuer. ({result.Failure!.Code})");
            }

            hintSid = token.Claim("sid");
            audiences = Audiences(token.Claims);
            if (audiences.Count == 0)
            {
                throw new EndSessionException(EndpointErrors.EndSessionInvalidHint, "The id_token_hint has no audience.");
            }
        }

        if (clientId is not null && hint is not null && !audiences.Contains(clientId, StringComparer.Ordinal))
        {
            throw new EndSessionException(EndpointErrors.EndSessionClientMismatch, "The client_id is not an audience of the id_token_hint.");
        }

        clientId ??= audiences.Count == 1 ? audiences[0] : null;
        ClientView? client = null;
        if (clientId is not null)
        {
            client = (await clients.FindAsync(tenant.TenantId, clientId, ct).ConfigureAwait(false))?.View
                ?? throw new EndSessionException(EndpointErrors.EndSessionUnknownClient, "The client is not registered here.");
        }

        if (redirectUri is not null)
        {
            if (client is null)
            {
                throw new EndSessionException(EndpointErrors.EndSessionUnknownClient, "A post_logout_redirect_uri needs a client_id or an id_token_hint naming the client.");
            }

            if (!client.PostLogoutRedirectUris.Contains(redirectUri, StringComparer.Ordinal))
            {
                throw new EndSessionException(EndpointErrors.EndSessionRedirectMismatch, "The post_logout_redirect_uri is not one the client registered.");
            }
        }

        return new EndSessionRequest(tenant, client, redirectUri, state, hint is not null, hintSid, confirmed);
    }

    private static async Task<IFormCollection> ReadFormAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType)
        {
            throw new EndSessionException(EndpointErrors.EndSessionInvalidRequest, "The sign-out form must be posted as application/x-www-form-urlencoded.");
        }

        if (http.Request.ContentLength > MaxBodyBytes)
        {
            throw new EndSessionException(EndpointErrors.EndSessionInvalidRequest, "The sign-out request is too large.");
        }

        try
        {
            return await http.Request.ReadFormAsync(new Microsoft.AspNetCore.Http.Features.FormOptions
            {
                ValueCountLimit = 32,
                KeyLengthLimit = 256,
                ValueLengthLimit = MaxBodyBytes,
                MultipartBodyLengthLimit = MaxBodyBytes,
            }, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            throw new EndSessionException(EndpointErrors.EndSessionInvalidRequest, "The sign-out form is malformed or too large.");
        }
    }

    private static IReadOnlyList<string> Audiences(JsonElement claims)
    {
        if (!claims.TryGetProperty("aud", out var aud))
        {
            return [];
        }

        return aud.ValueKind switch
        {
            JsonValueKind.String => [aud.GetString()!],
            JsonValueKind.Array => aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!).ToArray(),
            _ => [],
        };
    }
}

/// <summary>
/// Decides what a valid request does with the browser's SSO session: a hint naming the current session (or a
/// confirmed form) ends it (<c>session.revoked.v1</c>, reason <c>logout</c>) and deletes the cookie; a browser
/// without a session is already signed out; anything else — no hint, or a hint for another session — asks
/// the user first (a logout link must not sign anyone out by itself).
/// </summary>
public static class EndSessionEndpoint
{
    public static IEndpointRouteBuilder MapEndSession(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapMethods(OidcPaths.EndSession, [HttpMethods.Get, HttpMethods.Post], (Func<HttpContext, Task>)HandleAsync)
            .ExcludeFromDescription().DisableAntiforgery();
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var tenant = await services.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: false, http.RequestAborted).ConfigureAwait(false);
        EndSessionRequest request;
        try
        {
            request = await services.GetRequiredService<EndSessionRequestValidator>().ValidateAsync(http, tenant).ConfigureAwait(false);
        }
        catch (EndSessionException error)
        {
            await ErrorAsync(http, error).ConfigureAwait(false);
            return;
        }

        var sessions = services.GetRequiredService<ISsoSessions>();
        var cookie = SsoCookie.Read(http.Request, tenant);
        var current = cookie is null ? null : await sessions.FindToEndAsync(tenant.TenantId, cookie, http.RequestAborted).ConfigureAwait(false);
        if (current is not null && !request.Confirmed
            && !(request.HasValidHint && string.Equals(request.HintSessionId, current.SessionId, StringComparison.Ordinal)))
        {
            await ConfirmPageAsync(http, request).ConfigureAwait(false);
            return;
        }

        if (current is not null)
        {
            await sessions.RevokeAsync(tenant.TenantId, current.SessionId, "logout", http.RequestAborted).ConfigureAwait(false);
        }

        if (cookie is not null)
        {
            SsoCookie.Delete(http.Response, tenant);
        }

        if (request.RedirectUri is not null)
        {
            var location = request.State is null ? request.RedirectUri : QueryHelpers.AddQueryString(request.RedirectUri, "state", request.State);
            AuthorizeFlow.SeeOther(http, location);
            return;
        }

        await Pages.WriteAsync(http, StatusCodes.Status200OK, "Signed out", """
            <h1>You are signed out</h1>
            <p>You can close this window.</p>
            """).ConfigureAwait(false);
    }

    private static Task ConfirmPageAsync(HttpContext http, EndSessionRequest request)
    {
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        string Hidden(string name, string? value) =>
            value is null ? "" : $"<input type=\"hidden\" name=\"{name}\" value=\"{Pages.Encode(value)}\">";
        var body = $"""
            <h1>Sign out?</h1>
            <p>{(request.Client is null ? "Do you want to sign out?" : $"{Pages.Encode(request.Client.Name)} asks to sign you out.")}</p>
            <form method="post" action="{OidcPaths.EndSession}">
            <input type="hidden" name="{Pages.Encode(tokens.FormFieldName)}" value="{Pages.Encode(tokens.RequestToken)}">
            <input type="hidden" name="confirm" value="1">
            {Hidden("client_id", request.Client?.ClientId)}
            {Hidden("post_logout_redirect_uri", request.RedirectUri)}
            {Hidden("state", request.State)}
            <button type="submit">Sign out</button>
            </form>
            """;
        var targets = request.RedirectUri is not null && AuthorizeFlow.OriginOf(request.RedirectUri) is { } origin ? new[] { origin } : [];
        return Pages.WriteAsync(http, StatusCodes.Status200OK, "Sign out", body, targets);
    }

    private static Task ErrorAsync(HttpContext http, EndSessionException error) =>
        Pages.WriteAsync(http, StatusCodes.Status400BadRequest, "Sign-out error", $"""
            <h1>Sign-out error</h1>
            <p class="error" role="alert">{Pages.Encode(error.Message)} ({Pages.Encode(error.Code)})</p>
            <p>Return to the application and try again.</p>
            """);
}
