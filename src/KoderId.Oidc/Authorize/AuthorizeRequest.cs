using System.Text.Json.Serialization;

namespace KoderId.Oidc.Authorize;

/// <summary>What the authorize endpoint needs to know of a client (a view of the client read model).</summary>
public sealed record AuthorizeClient(
    string ClientId,
    string Name,
    bool IsPublic,
    IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> GrantTypes,
    IReadOnlyList<string> Scopes,
    bool FirstParty,
    bool RequirePkce);

/// <summary>Port: the tenant's client for the authorize endpoint, or null for an unknown or deleted one.</summary>
public interface IAuthorizeClients
{
    ValueTask<AuthorizeClient?> FindAsync(string tenantId, string clientId, CancellationToken ct);
}

/// <summary>
/// An authorization request that passed validation (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636). It travels
/// from the authorize endpoint to the login and consent pages inside a data-protected, tenant-bound,
/// time-limited value, so nothing the browser returns can change it.
/// </summary>
public sealed record ValidatedAuthorizeRequest(
    [property: JsonPropertyName("tid")] string TenantId,
    [property: JsonPropertyName("cid")] string ClientId,
    [property: JsonPropertyName("ru")] string RedirectUri,
    [property: JsonPropertyName("sc")] IReadOnlyList<string> Scopes,
    [property: JsonPropertyName("st")] string? State,
    [property: JsonPropertyName("no")] string? Nonce,
    [property: JsonPropertyName("cc")] string? CodeChallenge,
    [property: JsonPropertyName("ccm")] string? CodeChallengeMethod,
    [property: JsonPropertyName("pr")] IReadOnlyList<string> Prompt,
    [property: JsonPropertyName("ma")] long? MaxAge,
    [property: JsonPropertyName("lh")] string? LoginHint,
    [property: JsonPropertyName("at")] DateTimeOffset ReceivedAt)
{
    public string Scope => string.Join(' ', Scopes);

    public bool PromptNone => Prompt.Contains(AuthorizeParameters.PromptNone);

    public bool PromptLogin => Prompt.Contains(AuthorizeParameters.PromptLogin);

    public bool PromptConsent => Prompt.Contains(AuthorizeParameters.PromptConsent);
}

public static class AuthorizeParameters
{
    public const string ClientId = "client_id";
    public const string RedirectUri = "redirect_uri";
    public const string ResponseType = "response_type";
    public const string ResponseMode = "response_mode";
    public const string Scope = "scope";
    public const string State = "state";
    public const string Nonce = "nonce";
    public const string CodeChallenge = "code_challenge";
    public const string CodeChallengeMethod = "code_challenge_method";
    public const string Prompt = "prompt";
    public const string MaxAge = "max_age";
    public const string LoginHint = "login_hint";
    public const string Request = "request";
    public const string RequestUri = "request_uri";
    public const string Registration = "registration";
    public const string Iss = "iss";
    public const string Code = "code";
    public const string Error = "error";
    public const string ErrorDescription = "error_description";

    public const string PromptNone = "none";
    public const string PromptLogin = "login";
    public const string PromptConsent = "consent";
    public const string PromptSelectAccount = "select_account";
    public const string OpenIdScope = "openid";
    public const string S256 = "S256";

    /// <summary>The scopes the server knows (discovery's <c>scopes_supported</c>).</summary>
    public static readonly IReadOnlySet<string> KnownScopes = new HashSet<string>(StringComparer.Ordinal)
    {
        "openid", "profile", "email", "phone", "address", "offline_access", "roles", "metadata", "urn:zitadel:iam:user:metadata",
    };
}
