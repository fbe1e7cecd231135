using Microsoft.AspNetCore.Http;

namespace KoderId.Oidc.Common;

/// <summary>A refused bearer request (RFC 6750 §3): the error (null when no credential was sent at all), its status and KID code.</summary>
public sealed record BearerRefusal(string? Error, string Description, string Code, int Status, string? Scope = null)
{
    /// <summary>The <c>WWW-Authenticate</c> challenge of RFC 6750 §3; a description never holds the token.</summary>
    public string Challenge =>
        Error is null
            ? "Bearer"
            : $"Bearer error=\"{Error}\", error_description=\"{HeaderSafe(Description)} ({Code})\"" + (Scope is null ? "" : $", scope=\"{Scope}\"");

    /// <summary>RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E — no quote, no backslash, ASCII only (a header must be).</summary>
    private static string HeaderSafe(string value) =>
        new(value.Replace("§", "section ", StringComparison.Ordinal).Select(c => c is >= ' ' and <= '~' && c is not '"' and not '\\' ? c : '\'').ToArray());

    public static BearerRefusal Missing() =>
        new(null, "No bearer token in the Authorization header.", EndpointErrors.BearerMissing, StatusCodes.Status401Unauthorized);

    public static BearerRefusal InvalidRequest(string description) =>
        new(OAuthErrors.InvalidRequest, description, EndpointErrors.BearerInvalidRequest, StatusCodes.Status400BadRequest);

    public static BearerRefusal InvalidToken(AccessTokenRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return new(OAuthErrors.InvalidToken, refusal.Description, refusal.Code, StatusCodes.Status401Unauthorized);
    }

    public static BearerRefusal InsufficientScope(string scope) =>
        new(OAuthErrors.InsufficientScope, $"The token's scope does not include {scope}.", EndpointErrors.BearerInsufficientScope, StatusCodes.Status403Forbidden, scope);

    /// <summary>Writes the refusal: the status, the challenge, <c>Cache-Control: no-store</c>, and no body.</summary>
    public void Write(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = Status;
        response.Headers.WWWAuthenticate = Challenge;
        OAuthResults.SetNoStore(response);
    }
}

/// <summary>
/// The bearer check shared by userinfo and <c>/v1/sessions</c>: RFC 6750 §2.1, the Authorization header only
/// (a token in the query — RFC 6750 §2.3 — is refused, and so is one in a form body, §2.2), exactly one header,
/// then <see cref="AccessTokenValidator"/>; with <c>requireUser</c> a client's own token (no <c>sid</c>) is refused.
/// An API key (<c>kid_…</c>) is not a JWT and fails as a malformed token; an access token is not an API key.
/// </summary>
public static class BearerToken
{
    /// <summary>The token of the Authorization header, or the refusal.</summary>
    public static (string? Token, BearerRefusal? Refusal) Read(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Query.ContainsKey("access_token"))
        {
            return (null, BearerRefusal.InvalidRequest("A token in the query string is not accepted; send it in the Authorization header (RFC 6750 §2.1)."));
        }

        var header = request.Headers.Authorization;
        if (header.Count == 0)
        {
            return (null, BearerRefusal.Missing());
        }

        if (header.Count > 1)
        {
            return (null, BearerRefusal.InvalidRequest("More than one Authorization header."));
        }

        var value = header[0] ?? "";
        const string prefix = "Bearer ";
        if (!value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return (null, BearerRefusal.Missing());
        }

        var token = value[prefix.Length..].Trim();
        return token.Length == 0 || token.Contains(' ', StringComparison.Ordinal)
            ? (null, BearerRefusal.InvalidRequest("The Authorization header is not 'Bearer <token>'."))
            : (token, null);
    }

    /// <summary>Reads and validates the bearer of <paramref name="http"/> for <paramref name="tenant"/>.</summary>
    public static async ValueTask<(ActiveAccessToken? Token, BearerRefusal? Refusal)> AuthenticateAsync(
        HttpContext http, OidcTenant tenant, AccessTokenValidator validator, bool requireUser)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(validator);
        var (token, refusal) = Read(http.Request);
        if (refusal is not null)
        {
            return (null, refusal);
        }

        var check = await validator.ValidateAsync(tenant, token, http.RequestAborted).ConfigureAwait(false);
        if (check.Active is not { } active)
        {
            return (null, BearerRefusal.InvalidToken(check.Refusal!));
        }

        return requireUser && !active.IsUserToken
            ? (null, BearerRefusal.InvalidToken(new AccessTokenRefusal(EndpointErrors.BearerNotUserToken, "The token is a client's, not a user's.")))
            : (active, null);
    }
}
