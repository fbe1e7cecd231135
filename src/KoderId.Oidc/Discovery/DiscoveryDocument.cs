using System.Text.Json.Serialization;
using KoderId.Domain.Keys;
using KoderId.Oidc.Common;

namespace KoderId.Oidc.Discovery;

/// <summary>
/// OpenID Connect Discovery 1.0 §3 and RFC 8414 §2 metadata of one tenant's issuer. Every endpoint is the issuer
/// plus its <see cref="OidcPaths"/> path, so a relying party that fetched it from a tenant host stays on that host.
/// </summary>
public sealed record DiscoveryDocument(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("authorization_endpoint")] string AuthorizationEndpoint,
    [property: JsonPropertyName("token_endpoint")] string TokenEndpoint,
    [property: JsonPropertyName("userinfo_endpoint")] string UserInfoEndpoint,
    [property: JsonPropertyName("jwks_uri")] string JwksUri,
    [property: JsonPropertyName("registration_endpoint")] string RegistrationEndpoint,
    [property: JsonPropertyName("introspection_endpoint")] string IntrospectionEndpoint,
    [property: JsonPropertyName("revocation_endpoint")] string RevocationEndpoint,
    [property: JsonPropertyName("end_session_endpoint")] string EndSessionEndpoint,
    [property: JsonPropertyName("scopes_supported")] IReadOnlyList<string> ScopesSupported,
    [property: JsonPropertyName("response_types_supported")] IReadOnlyList<string> ResponseTypesSupported,
    [property: JsonPropertyName("response_modes_supported")] IReadOnlyList<string> ResponseModesSupported,
    [property: JsonPropertyName("grant_types_supported")] IReadOnlyList<string> GrantTypesSupported,
    [property: JsonPropertyName("subject_types_supported")] IReadOnlyList<string> SubjectTypesSupported,
    [property: JsonPropertyName("id_token_signing_alg_values_supported")] IReadOnlyList<string> IdTokenSigningAlgValuesSupported,
    [property: JsonPropertyName("userinfo_signing_alg_values_supported")] IReadOnlyList<string> UserInfoSigningAlgValuesSupported,
    [property: JsonPropertyName("token_endpoint_auth_methods_supported")] IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
    [property: JsonPropertyName("token_endpoint_auth_signing_alg_values_supported")] IReadOnlyList<string> TokenEndpointAuthSigningAlgValuesSupported,
    [property: JsonPropertyName("introspection_endpoint_auth_methods_supported")] IReadOnlyList<string> IntrospectionEndpointAuthMethodsSupported,
    [property: JsonPropertyName("introspection_endpoint_auth_signing_alg_values_supported")] IReadOnlyList<string> IntrospectionEndpointAuthSigningAlgValuesSupported,
    [property: JsonPropertyName("revocation_endpoint_auth_methods_supported")] IReadOnlyList<string> RevocationEndpointAuthMethodsSupported,
    [property: JsonPropertyName("revocation_endpoint_auth_signing_alg_values_supported")] IReadOnlyList<string> RevocationEndpointAuthSigningAlgValuesSupported,
    [property: JsonPropertyName("code_challenge_methods_supported")] IReadOnlyList<string> CodeChallengeMethodsSupported,
    [property: JsonPropertyName("claims_supported")] IReadOnlyList<string> ClaimsSupported,
    [property: JsonPropertyName("claims_parameter_supported")] bool ClaimsParameterSupported,
    [property: JsonPropertyName("request_parameter_supported")] bool RequestParameterSupported,
    [property: JsonPropertyName("request_uri_parameter_supported")] bool RequestUriParameterSupported,
    [property: JsonPropertyName("authorization_response_iss_parameter_supported")] bool AuthorizationResponseIssParameterSupported,
    [property: JsonPropertyName("prompt_values_supported")] IReadOnlyList<string> PromptValuesSupported,
    [property: JsonPropertyName("frontchannel_logout_supported")] bool FrontchannelLogoutSupported,
    [property: JsonPropertyName("backchannel_logout_supported")] bool BackchannelLogoutSupported)
{
    public static readonly string[] Scopes = ["openid", "profile", "email", "phone", "address", "offline_access", "roles", "metadata", "urn:zitadel:iam:user:metadata"];

    public static readonly string[] Claims =
    [
        "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "at_hash", "sid", "tid",
        "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile", "picture",
        "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at",
        "email", "email_verified", "phone_number", "phone_number_verified", "address", "roles", "metadata", "urn:zitadel:iam:user:metadata",
    ];

    private static readonly string[] Algorithms = [.. SigningAlgorithms.All];
    private static readonly string[] ClientAuthentication = ["client_secret_basic", "client_secret_post", "private_key_jwt"];

    public static DiscoveryDocument For(OidcTenant tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return new DiscoveryDocument(
            tenant.Issuer,
            tenant.Endpoint(OidcPaths.Authorize),
            tenant.Endpoint(OidcPaths.Token),
            tenant.Endpoint(OidcPaths.UserInfo),
            tenant.Endpoint(OidcPaths.Keys),
            tenant.Endpoint(OidcPaths.Register),
            tenant.Endpoint(OidcPaths.Introspect),
            tenant.Endpoint(OidcPaths.Revoke),
            tenant.Endpoint(OidcPaths.EndSession),
            Scopes,
            ["code"],
            ["query"],
            ["authorization_code", "refresh_token", "client_credentials"],
            ["public"],
            [SigningAlgorithms.RS256, SigningAlgorithms.ES256],
            [SigningAlgorithms.RS256, SigningAlgorithms.ES256],
            [.. ClientAuthentication, "none"],
            Algorithms,
            ClientAuthentication,
            Algorithms,
            [.. ClientAuthentication, "none"],
            Algorithms,
            ["S256"],
            Claims,
            ClaimsParameterSupported: false,
            RequestParameterSupported: false,
            RequestUriParameterSupported: false,
            AuthorizationResponseIssParameterSupported: true,
            ["none", "login", "consent"],
            FrontchannelLogoutSupported: false,
            BackchannelLogoutSupported: false);
    }
}
