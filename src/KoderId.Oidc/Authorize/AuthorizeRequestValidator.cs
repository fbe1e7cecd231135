using KoderId.Domain.Clients;
using KoderId.Oidc.Common;
using Microsoft.Extensions.Primitives;

namespace KoderId.Oidc.Authorize;

/// <summary>
/// The authorize endpoint's two-stage validation. Stage one (client and redirect URI) decides whether the
/// redirect URI can be trusted: its failures are shown as an error page and never redirected to (RFC 6749
/// §4.1.2.1, RFC 9700 §4.1). Stage two's failures are redirected to that verified URI with <c>state</c> and
/// <c>iss</c>.
/// </summary>
public static class AuthorizeRequestValidator
{
    private const int MaxParameterLength = 2048;

    /// <summary>Stage one: the client and its exact redirect URI (only a loopback redirect's port may vary, RFC 8252 §7.3).</summary>
    public static async ValueTask<(AuthorizeClient? Client, string? RedirectUri, string? Problem)> ValidateClientAsync(
        IReadOnlyDictionary<string, StringValues> parameters, string tenantId, IAuthorizeClients clients, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(clients);
        if (!TrySingle(parameters, AuthorizeParameters.ClientId, out var clientId) || string.IsNullOrEmpty(clientId) || clientId.Length > 256)
        {
            return (null, null, "The request names no client (client_id is missing, empty or repeated).");
        }

        var client = await clients.FindAsync(tenantId, clientId, ct).ConfigureAwait(false);
        if (client is null)
        {
            return (null, null, "The client is unknown.");
        }

        if (!TrySingle(parameters, AuthorizeParameters.RedirectUri, out var redirectUri) || string.IsNullOrEmpty(redirectUri) || redirectUri.Length > MaxParameterLength)
        {
            return (client, null, "The request has no redirect_uri (it is required, once).");
        }

        if (!client.RedirectUris.Any(registered => RedirectUriMatcher.Matches(registered, redirectUri)))
        {
            return (client, null, "The redirect_uri is not registered for this client.");
        }

        return (client, redirectUri, null);
    }

    /// <summary>Stage two: everything else, for a client whose redirect URI was verified.</summary>
    public static ValidatedAuthorizeRequest Validate(
        IReadOnlyDictionary<string, StringValues> parameters, string tenantId, AuthorizeClient client, string redirectUri, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(client);
        foreach (var (name, values) in parameters)
        {
            if (values.Count > 1)
            {
                throw new OAuthException(OAuthErrors.InvalidRequest, $"The {Printable(name)} parameter is repeated.");
            }

            if ((values.ToString()?.Length ?? 0) > MaxParameterLength)
            {
                throw new OAuthException(OAuthErrors.InvalidRequest, $"The {Printable(name)} parameter is too long.");
            }
        }

        var state = Optional(parameters, AuthorizeParameters.State);
        if (parameters.ContainsKey(AuthorizeParameters.Request))
        {
            throw new OAuthException(OAuthErrors.RequestNotSupported, "Request objects are not supported.");
        }

        if (parameters.ContainsKey(AuthorizeParameters.RequestUri))
        {
            throw new OAuthException(OAuthErrors.RequestUriNotSupported, "request_uri is not supported.");
        }

        if (parameters.ContainsKey(AuthorizeParameters.Registration))
        {
            throw new OAuthException("registration_not_supported", "The registration parameter is not supported.");
        }

        var responseType = Optional(parameters, AuthorizeParameters.ResponseType);
        if (responseType is null)
        {
            throw new OAuthException(OAuthErrors.InvalidRequest, "response_type is required.");
        }

        if (responseType != "code")
        {
            throw new OAuthException(OAuthErrors.UnsupportedResponseType, "Only the authorization code flow (response_type=code) is supported.");
        }

        var responseMode = Optional(parameters, AuthorizeParameters.ResponseMode);
        if (responseMode is not null && responseMode != "query")
        {
            throw new OAuthException(OAuthErrors.InvalidRequest, "Only response_mode=query is supported.");
        }

        if (!client.GrantTypes.Contains("authorization_code"))
        {
            throw new OAuthException(OAuthErrors.UnauthorizedClient, "The client may not use the authorization code grant.");
        }

        var scopes = (Optional(parameters, AuthorizeParameters.Scope) ?? "")
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        if (scopes.Length == 0)
        {
            throw new OAuthException(OAuthErrors.InvalidScope, "scope is required.");
        }

        foreach (var scope in scopes)
        {
            if (!AuthorizeParameters.KnownScopes.Contains(scope) || (client.Scopes.Count > 0 && !client.Scopes.Contains(scope) && scope != AuthorizeParameters.OpenIdScope))
            {
                throw new OAuthException(OAuthErrors.InvalidScope, $"The scope {Printable(scope)} is unknown or not allowed for this client.");
            }
        }

        var challenge = Optional(parameters, AuthorizeParameters.CodeChallenge);
        var method = Optional(parameters, AuthorizeParameters.CodeChallengeMethod);
        if (challenge is null)
        {
            if (client.IsPublic || client.RequirePkce)
            {
                throw new OAuthException(OAuthErrors.InvalidRequest, "code_challenge is required (PKCE, RFC 7636).");
            }

            if (method is not null)
            {
                throw new OAuthException(OAuthErrors.InvalidRequest, "code_challenge_method without code_challenge.");
            }
        }
        else
        {
            // RFC 7636 §4.3: a missing method means plain, which is refused here (RFC 9700 §2.1.1).
            if (method != AuthorizeParameters.S256)
            {
                throw new OAuthException(OAuthErrors.InvalidRequest, "code_challenge_method must be S256.");
            }

            if (!IsS256Challenge(challenge))
            {
                throw new OAuthException(OAuthErrors.InvalidRequest, "code_challenge must be the 43-character base64url SHA-256 of the verifier.");
            }
        }

        var prompt = (Optional(parameters, AuthorizeParameters.Prompt) ?? "")
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        foreach (var value in prompt)
        {
            if (value is not (AuthorizeParameters.PromptNone or AuthorizeParameters.PromptLogin or AuthorizeParameters.PromptConsent or AuthorizeParameters.PromptSelectAccount))
            {
                throw new OAuthException(OAuthErrors.InvalidRequest, $"Unknown prompt value {Printable(value)}.");
            }
        }

        if (prompt.Contains(AuthorizeParameters.PromptNone) && prompt.Length > 1)
        {
            throw new OAuthException(OAuthErrors.InvalidRequest, "prompt=none cannot be combined with another value.");
        }

        long? maxAge = null;
        var maxAgeText = Optional(parameters, AuthorizeParameters.MaxAge);
        if (maxAgeText is not null)
        {
            if (!long.TryParse(maxAgeText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            {
                throw new OAuthException(OAuthErrors.InvalidRequest, "max_age must be a non-negative number of seconds.");
            }

            maxAge = seconds;
        }

        return new ValidatedAuthorizeRequest(
            tenantId,
            client.ClientId,
            redirectUri,
            scopes,
            state,
            Optional(parameters, AuthorizeParameters.Nonce),
            challenge,
            challenge is null ? null : method,
            prompt,
            maxAge,
            Optional(parameters, AuthorizeParameters.LoginHint),
            now);
    }

    /// <summary>The state to echo on an error redirect, if it was sent once.</summary>
    public static string? StateOf(IReadOnlyDictionary<string, StringValues> parameters) =>
        parameters.TryGetValue(AuthorizeParameters.State, out var values) && values.Count == 1 ? values.ToString() : null;

    internal static bool IsS256Challenge(string value) =>
        value.Length == 43 && value.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');

    private static bool TrySingle(IReadOnlyDictionary<string, StringValues> parameters, string name, out string? value)
    {
        value = null;
        if (!parameters.TryGetValue(name, out var values))
        {
            return true;
        }

        if (values.Count != 1)
        {
            return false;
        }

        value = values.ToString();
        return true;
    }

    private static string? Optional(IReadOnlyDictionary<string, StringValues> parameters, string name)
    {
        var value = parameters.TryGetValue(name, out var values) ? values.ToString() : null;
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private static string Printable(string value)
    {
        var clean = new string(value.Where(c => c is >= ' ' and <= '~').Take(40).ToArray());
        return $"'{clean}'";
    }
}
