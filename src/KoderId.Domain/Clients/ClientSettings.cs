using System.Collections.Immutable;
using System.Text.Json;

namespace KoderId.Domain.Clients;

public static class ClientTypes
{
    public const string Confidential = "confidential";
    public const string Public = "public";
}

public static class ClientAuthMethods
{
    public const string ClientSecretBasic = "client_secret_basic";
    public const string ClientSecretPost = "client_secret_post";
    public const string PrivateKeyJwt = "private_key_jwt";
    public const string None = "none";

    public static readonly ImmutableArray<string> All = [ClientSecretBasic, ClientSecretPost, PrivateKeyJwt, None];

    public static bool UsesSecret(string method) => method is ClientSecretBasic or ClientSecretPost;
}

public static class ClientGrantTypes
{
    public const string AuthorizationCode = "authorization_code";
    public const string RefreshToken = "refresh_token";
    public const string ClientCredentials = "client_credentials";

    public static readonly ImmutableArray<string> All = [AuthorizationCode, RefreshToken, ClientCredentials];
}

public static class ClientRegistrations
{
    public const string Admin = "admin";
    public const string Dynamic = "dynamic";
}

/// <summary>
/// What a caller asks for; null members take their default (RFC 7591 §2 where it names one). Lifetimes in seconds.
/// <paramref name="Jwks"/> is the JWK set as JSON text.
/// </summary>
public sealed record ClientDraft(
    string? Name = null,
    string? ClientType = null,
    IReadOnlyList<string>? RedirectUris = null,
    IReadOnlyList<string>? PostLogoutRedirectUris = null,
    IReadOnlyList<string>? GrantTypes = null,
    IReadOnlyList<string>? ResponseTypes = null,
    IReadOnlyList<string>? Scopes = null,
    string? TokenEndpointAuthMethod = null,
    string? Jwks = null,
    string? JwksUri = null,
    int? AccessTokenLifetime = null,
    int? RefreshTokenLifetime = null,
    int? IdTokenLifetime = null,
    bool? FirstParty = null,
    string? IdTokenSignedResponseAlg = null,
    bool? RequirePkce = null);

/// <summary>A client's validated metadata: what the events carry and the state holds.</summary>
public sealed record ClientSettings(
    string Name,
    string ClientType,
    ImmutableArray<string> RedirectUris,
    ImmutableArray<string> PostLogoutRedirectUris,
    ImmutableArray<string> GrantTypes,
    ImmutableArray<string> ResponseTypes,
    ImmutableArray<string> Scopes,
    string TokenEndpointAuthMethod,
    string IdTokenSignedResponseAlg,
    bool RequirePkce,
    bool FirstParty,
    string? Jwks,
    string? JwksUri,
    int? AccessTokenLifetime,
    int? RefreshTokenLifetime,
    int? IdTokenLifetime)
{
    public bool IsPublic => ClientType == ClientTypes.Public;

    public bool UsesSecret => ClientAuthMethods.UsesSecret(TokenEndpointAuthMethod);

    public bool Equals(ClientSettings? other) =>
        other is not null && Name == other.Name && ClientType == other.ClientType
        && RedirectUris.SequenceEqual(other.RedirectUris) && PostLogoutRedirectUris.SequenceEqual(other.PostLogoutRedirectUris)
        && GrantTypes.SequenceEqual(other.GrantTypes) && ResponseTypes.SequenceEqual(other.ResponseTypes) && Scopes.SequenceEqual(other.Scopes)
        && TokenEndpointAuthMethod == other.TokenEndpointAuthMethod && IdTokenSignedResponseAlg == other.IdTokenSignedResponseAlg
        && RequirePkce == other.RequirePkce && FirstParty == other.FirstParty && Jwks == other.Jwks && JwksUri == other.JwksUri
        && AccessTokenLifetime == other.AccessTokenLifetime && RefreshTokenLifetime == other.RefreshTokenLifetime && IdTokenLifetime == other.IdTokenLifetime;

    public override int GetHashCode() => HashCode.Combine(Name, ClientType, TokenEndpointAuthMethod);
}

/// <summary>The metadata rules (RFC 6749, RFC 7591 §2, OAuth 2.1, RFC 8252, RFC 9700). Pure.</summary>
public static class ClientRules
{
    public const int MaxRedirectUris = 20;
    public const int MaxScopes = 50;
    public const int MaxScopeLength = 100;
    public const int MaxJwksLength = 16 * 1024;
    public const int MaxJwksKeys = 10;

    /// <summary>The JWK member that ends a key's use for <c>private_key_jwt</c>: seconds since the epoch (a NumericDate).</summary>
    public const string JwkExpiry = "exp";

    /// <summary>9999-12-31T23:59:59Z, the last second a DateTimeOffset holds (and Zitadel's "never expires").</summary>
    public const long MaxNumericDate = 253_402_300_799;

    public static readonly ImmutableArray<string> SigningAlgs = ["RS256", "ES256"];
    public static readonly ImmutableArray<string> DefaultScopes = ["openid", "profile", "email"];

    public static ClientSettings Normalize(ClientDraft draft, string registeredVia)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var method = draft.TokenEndpointAuthMethod;
        if (method is not null && !ClientAuthMethods.All.Contains(method, StringComparer.Ordinal))
        {
            throw Refuse(DomainErrors.ClientInvalidAuthMethod, $"token_endpoint_auth_method is one of {string.Join(", ", ClientAuthMethods.All)}.");
        }

        var type = draft.ClientType ?? (method == ClientAuthMethods.None ? ClientTypes.Public : ClientTypes.Confidential);
        if (type is not (ClientTypes.Confidential or ClientTypes.Public))
        {
            throw Refuse(DomainErrors.ClientInvalidType, "The client type is confidential or public.");
        }

        var isPublic = type == ClientTypes.Public;
        method ??= isPublic ? ClientAuthMethods.None : ClientAuthMethods.ClientSecretBasic;
        if (isPublic != (method == ClientAuthMethods.None))
        {
            throw Refuse(DomainErrors.ClientInvalidAuthMethod, "A public client authenticates with none, and only a public client does.");
        }

        var grants = Distinct(draft.GrantTypes ?? [ClientGrantTypes.AuthorizationCode], DomainErrors.ClientInvalidGrantType, "grant_types");
        if (grants.Length == 0 || grants.Any(g => !ClientGrantTypes.All.Contains(g, StringComparer.Ordinal)))
        {
            throw Refuse(DomainErrors.ClientInvalidGrantType, $"grant_types are one or more of {string.Join(", ", ClientGrantTypes.All)}.");
        }

        var code = grants.Contains(ClientGrantTypes.AuthorizationCode);
        if (grants.Contains(ClientGrantTypes.RefreshToken) && !code)
        {
            throw Refuse(DomainErrors.ClientInvalidGrantType, "refresh_token goes with authorization_code.");
        }

        if (isPublic && grants.Contains(ClientGrantTypes.ClientCredentials))
        {
            throw Refuse(DomainErrors.ClientInvalidGrantType, "client_credentials needs a confidential client.");
        }

        var responses = Distinct(draft.ResponseTypes ?? (code ? ["code"] : []), DomainErrors.ClientInvalidResponseType, "response_types");
        if (responses.Any(r => r != "code") || (responses.Length > 0) != code)
        {
            throw Refuse(DomainErrors.ClientInvalidResponseType, "response_types is [\"code\"] with authorization_code, [] without it.");
        }

        var redirects = Uris(draft.RedirectUris, isPublic, DomainErrors.ClientInvalidRedirectUri, "redirect_uris");
        if (code && redirects.Length == 0)
        {
            throw Refuse(DomainErrors.ClientInvalidRedirectUri, "authorization_code needs at least one redirect URI.");
        }

        var postLogout = Uris(draft.PostLogoutRedirectUris, isPublic, DomainErrors.ClientInvalidPostLogoutRedirectUri, "post_logout_redirect_uris");

        var scopes = Distinct(draft.Scopes ?? DefaultScopes, DomainErrors.ClientInvalidScope, "scopes");
        if (scopes.Length > MaxScopes || scopes.Any(s => !IsScopeToken(s)))
        {
            throw Refuse(DomainErrors.ClientInvalidScope, $"At most {MaxScopes} scopes, each 1 to {MaxScopeLength} printable ASCII characters without space, quote or backslash.");
        }

        var name = Names.Normalize(draft.Name)
            ?? throw Refuse(DomainErrors.ClientInvalidName, $"A client name is 1 to {Names.MaxLength} printable characters.");

        var alg = draft.IdTokenSignedResponseAlg ?? "RS256";
        if (!SigningAlgs.Contains(alg, StringComparer.Ordinal))
        {
            throw Refuse(DomainErrors.ClientInvalidSigningAlg, "id_token_signed_response_alg is RS256 or ES256.");
        }

        var requirePkce = draft.RequirePkce ?? true;
        if (isPublic && !requirePkce)
        {
            throw Refuse(DomainErrors.ClientPkceRequired, "A public client always uses PKCE.");
        }

        var (jwks, jwksUri) = Keys(draft.Jwks, draft.JwksUri);
        if (method == ClientAuthMethods.PrivateKeyJwt && jwks is null)
        {
            // jwks_uri is kept as metadata but not fetched yet: a client relying on it could never authenticate.
            throw Refuse(DomainErrors.ClientInvalidJwks, "private_key_jwt needs the client's public keys inline (jwks); jwks_uri is not fetched by this server.");
        }

        return new ClientSettings(
            name,
            type,
            redirects,
            postLogout,
            grants,
            responses,
            scopes,
            method,
            alg,
            requirePkce,
            registeredVia != ClientRegistrations.Dynamic && (draft.FirstParty ?? false),
            jwks,
            jwksUri,
            Lifetime(draft.AccessTokenLifetime, 60, 86_400, "access token"),
            Lifetime(draft.RefreshTokenLifetime, 300, 31_536_000, "refresh token"),
            Lifetime(draft.IdTokenLifetime, 60, 86_400, "ID token"));
    }

    /// <summary>RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E.</summary>
    public static bool IsScopeToken(string? scope) =>
        scope is { Length: > 0 and <= MaxScopeLength } && scope.All(c => c == '!' || (c >= '#' && c <= '[') || (c >= ']' && c <= '~'));

    private static ImmutableArray<string> Uris(IReadOnlyList<string>? uris, bool isPublic, string code, string member)
    {
        var list = Distinct(uris ?? [], code, member);
        if (list.Length > MaxRedirectUris)
        {
            throw Refuse(code, $"At most {MaxRedirectUris} {member}.");
        }

        foreach (var uri in list)
        {
            if (RedirectUriRules.Check(uri, isPublic) is { } why)
            {
                throw Refuse(code, $"{member}: {why}");
            }
        }

        return list;
    }

    private static ImmutableArray<string> Distinct(IReadOnlyList<string> values, string code, string member)
    {
        if (values.Any(v => v is null))
        {
            throw Refuse(code, $"{member} holds no null.");
        }

        if (values.Distinct(StringComparer.Ordinal).Count() != values.Count)
        {
            throw Refuse(code, $"{member} holds each value once.");
        }

        return [.. values];
    }

    private static int? Lifetime(int? seconds, int min, int max, string what) =>
        seconds is null || (seconds >= min && seconds <= max)
            ? seconds
            : throw Refuse(DomainErrors.ClientInvalidLifetime, $"The {what} lifetime is {min} to {max} seconds.");

    /// <summary>A public JWK set: 1 to 10 RSA or EC P-256 keys without private members; compacted. jwks_uri is an https URL.</summary>
    private static (string? Jwks, string? JwksUri) Keys(string? jwks, string? jwksUri)
    {
        if (jwks is not null && jwksUri is not null)
        {
            throw Refuse(DomainErrors.ClientInvalidJwks, "jwks and jwks_uri exclude each other (RFC 7591 §2).");
        }

        if (jwksUri is not null)
        {
            if (jwksUri.Length > RedirectUriRules.MaxLength || !Uri.TryCreate(jwksUri, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps
                || !string.IsNullOrEmpty(uri.UserInfo) || jwksUri.Contains('#', StringComparison.Ordinal))
            {
                throw Refuse(DomainErrors.ClientInvalidJwks, "jwks_uri is an absolute https URL without fragment or user information.");
            }

            return (null, jwksUri);
        }

        if (jwks is null)
        {
            return (null, null);
        }

        if (jwks.Length > MaxJwksLength)
        {
            throw Refuse(DomainErrors.ClientInvalidJwks, $"jwks is at most {MaxJwksLength} bytes.");
        }

        try
        {
            using var document = JsonDocument.Parse(jwks, new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array
                || keys.GetArrayLength() is 0 or > MaxJwksKeys)
            {
                throw Refuse(DomainErrors.ClientInvalidJwks, $"jwks is {{\"keys\": [...]}} with 1 to {MaxJwksKeys} keys.");
            }

            foreach (var key in keys.EnumerateArray())
            {
                if (!IsPublicJwk(key))
                {
                    throw Refuse(DomainErrors.ClientInvalidJwks, "Each key is a public RSA (n, e) or EC P-256 (x, y) JWK, with no private member; an exp member is a NumericDate.");
                }
            }

            return (JsonSerializer.Serialize(document.RootElement), null);
        }
        catch (JsonException)
        {
            throw Refuse(DomainErrors.ClientInvalidJwks, "jwks is not well-formed JSON.");
        }
    }

    private static bool IsPublicJwk(JsonElement key)
    {
        if (key.ValueKind != JsonValueKind.Object || !key.TryGetProperty("kty", out var kty))
        {
            return false;
        }

        string[] privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
        if (privateMembers.Any(m => key.TryGetProperty(m, out _)))
        {
            return false;
        }

        // A key's expiry (as OpenID Federation's historical keys carry it): the client authenticator stops using the key then.
        if (key.TryGetProperty(JwkExpiry, out var exp) && !(exp.ValueKind == JsonValueKind.Number && exp.TryGetInt64(out var seconds) && seconds is > 0 and <= MaxNumericDate))
        {
            return false;
        }

        return kty.ValueKind == JsonValueKind.String && kty.GetString() switch
        {
            "RSA" => IsText(key, "n") && IsText(key, "e"),
            "EC" => IsText(key, "crv") && key.GetProperty("crv").GetString() == "P-256" && IsText(key, "x") && IsText(key, "y"),
            _ => false,
        };
    }

    private static bool IsText(JsonElement key, string name) =>
        key.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0;

    private static DomainException Refuse(string code, string message) => new(code, message);
}
