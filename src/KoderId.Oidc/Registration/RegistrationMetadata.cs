using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Domain.Clients;
using KoderId.Oidc.Clients;
using KoderId.Oidc.Common;
using KoderId.Projections.Clients;

namespace KoderId.Oidc.Registration;

/// <summary>
/// RFC 7591 §2 client metadata in and out. Members this server does not understand are ignored (§2: "MUST
/// ignore"); a member it understands with the wrong JSON type is <c>invalid_client_metadata</c>.
/// <c>first_party</c> and lifetimes are not registration metadata: a dynamic client is never first party.
/// </summary>
internal static class RegistrationMetadata
{
    public static ClientDraft Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Metadata("The body is a JSON object of client metadata.");
        }

        var grants = Strings(root, "grant_types");
        var scope = Text(root, "scope");
        return new ClientDraft(
            Name: Text(root, "client_name"),
            RedirectUris: Strings(root, "redirect_uris"),
            PostLogoutRedirectUris: Strings(root, "post_logout_redirect_uris"),
            GrantTypes: grants,
            ResponseTypes: Strings(root, "response_types"),
            Scopes: scope?.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            TokenEndpointAuthMethod: Text(root, "token_endpoint_auth_method"),
            Jwks: root.TryGetProperty("jwks", out var jwks) && jwks.ValueKind != JsonValueKind.Null
                ? jwks.ValueKind == JsonValueKind.Object ? jwks.GetRawText() : throw Metadata("jwks is a JWK set object.")
                : null,
            JwksUri: Text(root, "jwks_uri"),
            IdTokenSignedResponseAlg: Text(root, "id_token_signed_response_alg"));
    }

    /// <summary>The §3.2.1 / RFC 7592 §3 answer: the client's metadata, plus whatever secrets this response shows once.</summary>
    public static JsonObject Write(ClientView view, string registrationUri, string? secret, string? registrationToken)
    {
        var body = new JsonObject
        {
            ["client_id"] = view.ClientId,
            ["client_id_issued_at"] = view.CreatedAt.ToUnixTimeSeconds(),
            ["client_name"] = view.Name,
            ["redirect_uris"] = Array(view.RedirectUris),
            ["post_logout_redirect_uris"] = Array(view.PostLogoutRedirectUris),
            ["grant_types"] = Array(view.GrantTypes),
            ["response_types"] = Array(view.ResponseTypes),
            ["scope"] = string.Join(' ', view.Scopes),
            ["token_endpoint_auth_method"] = view.TokenEndpointAuthMethod,
            ["id_token_signed_response_alg"] = view.IdTokenSignedResponseAlg,
            ["application_type"] = view.ClientType == ClientTypes.Public ? "native" : "web",
            ["registration_client_uri"] = registrationUri,
        };
        if (secret is not null)
        {
            body["client_secret"] = secret;
            body["client_secret_expires_at"] = 0;
        }

        if (registrationToken is not null)
        {
            body["registration_access_token"] = registrationToken;
        }

        if (view.Jwks is not null)
        {
            body["jwks"] = JsonNode.Parse(view.Jwks);
        }

        if (view.JwksUri is not null)
        {
            body["jwks_uri"] = view.JwksUri;
        }

        return body;
    }

    private static JsonArray Array(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    private static string? Text(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString() : throw Metadata($"{name} is a string.");

    private static string[]? Strings(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw Metadata($"{name} is an array of strings.");
        }

        return [.. v.EnumerateArray().Select(e => e.GetString()!)];
    }

    public static OAuthException Metadata(string description) =>
        ClientProtocolErrors.Error(OAuthErrors.InvalidClientMetadata, ClientProtocolErrors.InvalidClientMetadata, description);
}
