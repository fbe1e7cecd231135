using System.Text;
using KoderId.Application.Clients;
using KoderId.Application.Common;
using KoderId.Domain.Clients;
using KoderId.Oidc.Common;
using KoderId.Projections.Clients;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace KoderId.Oidc.Clients;

/// <summary>An authenticated client and the method it used.</summary>
public sealed record AuthenticatedClient(ClientRecord Client, string Method)
{
    public ClientView View => Client.View;

    public string ClientId => Client.ClientId;
}

/// <summary>
/// Client authentication for the token, introspection and revocation endpoints: <c>client_secret_basic</c>
/// (RFC 6749 §2.3.1, id and secret form-urlencoded inside Basic), <c>client_secret_post</c>,
/// <c>private_key_jwt</c> (RFC 7523 §2.2/§3) and <c>none</c> (a public client names itself). Exactly one method
/// per request (more is <c>invalid_request</c>), and it must be the client's registered one. Every failure —
/// unknown client, wrong secret, wrong method, bad assertion, replayed <c>jti</c> — is the same
/// <c>invalid_client</c> 401, and an unknown client costs the same hash and compare as a wrong secret.
/// A key of the client's JWK set with an <c>exp</c> member (a NumericDate) is not used from then on (ADR 0007).
/// Reads only (the client cache); the one write is the assertion's <c>jti</c> (<see cref="ClientAssertionJtis"/>).
/// </summary>
public sealed class ClientAuthenticator(ClientDirectory clients, ClientAssertionJtis jtis, IClock clock)
{
    public const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <summary>How far ahead an assertion's <c>exp</c> may be: they are single-use and short-lived by design.</summary>
    public static readonly TimeSpan MaxAssertionLifetime = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private static readonly string[] AssertionAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSsaPssSha256];
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    /// <summary>Parsed keys per cached client record: a new record (any change to the client) parses again.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ClientRecord, IReadOnlyList<ClientKey>> Keys = new();

    public async Task<AuthenticatedClient> AuthenticateAsync(HttpContext http, OidcTenant tenant, IFormCollection form)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(form);
        var ct = http.RequestAborted;

        foreach (var name in (string[])["client_id", "client_secret", "client_assertion", "client_assertion_type"])
        {
            if (form[name].Count > 1)
            {
                throw Invalid($"The {name} parameter is repeated.");
            }
        }

        var header = http.Request.Headers.Authorization;
        if (header.Count > 1)
        {
            throw Invalid("More than one Authorization header.");
        }

        var basic = header.Count == 1 && header[0]!.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) ? header[0]!["Basic ".Length..].Trim() : null;
        string? formId = Value(form, "client_id");
        string? formSecret = Value(form, "client_secret");
        string? assertion = Value(form, "client_assertion");
        string? assertionType = Value(form, "client_assertion_type");

        var methods = (basic is null ? 0 : 1) + (formSecret is null ? 0 : 1) + (assertion is null && assertionType is null ? 0 : 1);
        if (methods > 1)
        {
            throw ClientProtocolErrors.Error(OAuthErrors.InvalidRequest, ClientProtocolErrors.MultipleAuthMethods,
                "Use exactly one client authentication method (RFC 6749 §2.3).");
        }

        if (basic is not null)
        {
            var (id, secret) = ParseBasic(basic);
            if (formId is not null && !string.Equals(formId, id, StringComparison.Ordinal))
            {
                throw Invalid("client_id differs from the Basic credentials.");
            }

            return await SecretAsync(tenant, id, secret, ClientAuthMethods.ClientSecretBasic, ct).ConfigureAwait(false);
        }

        if (formSecret is not null)
        {
            return await SecretAsync(tenant, formId ?? throw Invalid("client_secret needs client_id."), formSecret, ClientAuthMethods.ClientSecretPost, ct)
                .ConfigureAwait(false);
        }

        if (assertion is not null || assertionType is not null)
        {
            return await AssertionAsync(http, tenant, formId, assertion, assertionType, ct).ConfigureAwait(false);
        }

        if (formId is null)
        {
            // No credential at all: RFC 6749 §5.2 says invalid_client, with a challenge.
            throw ClientProtocolErrors.ClientAuthenticationFailed();
        }

        var client = await FindAsync(tenant, formId, ct).ConfigureAwait(false);
        return client is not null && client.View.TokenEndpointAuthMethod == ClientAuthMethods.None
            ? new AuthenticatedClient(client, ClientAuthMethods.None)
            : throw ClientProtocolErrors.ClientAuthenticationFailed();
    }

    private async Task<AuthenticatedClient> SecretAsync(OidcTenant tenant, string clientId, string secret, string method, CancellationToken ct)
    {
        var client = await FindAsync(tenant, clientId, ct).ConfigureAwait(false);
        var matches = ClientSecrets.Verify(secret, client?.SecretHash);
        return client is not null && matches && client.View.TokenEndpointAuthMethod == method
            ? new AuthenticatedClient(client, method)
            : throw ClientProtocolErrors.ClientAuthenticationFailed();
    }

    private async Task<AuthenticatedClient> AssertionAsync(
        HttpContext http, OidcTenant tenant, string? formId, string? assertion, string? assertionType, CancellationToken ct)
    {
        if (!string.Equals(assertionType, JwtBearerAssertionType, StringComparison.Ordinal) || string.IsNullOrEmpty(assertion))
        {
            throw Invalid($"client_assertion_type is {JwtBearerAssertionType}, with a client_assertion.");
        }

        JsonWebToken token;
        try
        {
            token = new JsonWebToken(assertion);
        }
        catch (ArgumentException)
        {
            throw ClientProtocolErrors.ClientAuthenticationFailed();
        }

        var issuer = token.Issuer;
        if (string.IsNullOrEmpty(issuer) || (formId is not null && formId != issuer) || !AssertionAlgorithms.Contains(token.Alg, StringComparer.Ordinal))
        {
            throw ClientProtocolErrors.ClientAuthenticationFailed();
        }

        var client = await FindAsync(tenant, issuer, ct).ConfigureAwait(false);
        if (client is null || client.View.TokenEndpointAuthMethod != ClientAuthMethods.PrivateKeyJwt || client.View.Jwks is null)
        {
            throw ClientProtocolErrors.ClientAuthenticationFailed();
        }

        var now = clock.UtcNow;
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = client.ClientId,
            ValidAudiences = [tenant.Issuer, tenant.Endpoint(OidcPaths.Token), tenant.Issuer + http.Request.Path.Value],
            IssuerSigningKeys = Keys.GetValue(client, c => ClientKey.Parse(c.View.Jwks!)).Where(k => k.Expires is not { } exp || exp > now).Select(k => k.Key).ToList(),
            ValidAlgorithms = AssertionAlgorithms,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateLifetime = true,
            ClockSkew = ClockSkew,
            LifetimeValidator = (notBefore, expires, _, _) =>
                expires is { } exp && exp > now.UtcDateTime - ClockSkew && exp <= now.UtcDateTime + MaxAssertionLifetime + ClockSkew
                && (notBefore is not { } nbf || nbf <= now.UtcDateTime + ClockSkew),
            TryAllIssuerSigningKeys = true,
        };
        var result = await Handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        if (!result.IsValid || token.Subject != client.ClientId)
        {
            throw ClientProtocolErrors.ClientAuthenticationFailed();
        }

        var jti = token.Id;
        if (string.IsNullOrEmpty(jti) || jti.Length > ClientAssertionJtis.MaxJtiLength
            || !await jtis.TryUseAsync(tenant.TenantId, client.ClientId, jti, token.ValidTo, now, ct).ConfigureAwait(false))
        {
            throw ClientProtocolErrors.ClientAuthenticationFailed();
        }

        return new AuthenticatedClient(client, ClientAuthMethods.PrivateKeyJwt);
    }

    /// <summary>A signing key of the client's JWK set and its <c>exp</c> member, if any: a key past it is not used (an imported Zitadel key's expiry, ADR 0007).</summary>
    private sealed record ClientKey(SecurityKey Key, DateTimeOffset? Expires)
    {
        public static IReadOnlyList<ClientKey> Parse(string jwks)
        {
            var keys = new List<ClientKey>();
            using var document = System.Text.Json.JsonDocument.Parse(jwks);
            foreach (var jwk in document.RootElement.GetProperty("keys").EnumerateArray())
            {
                DateTimeOffset? expires = null;
                if (jwk.TryGetProperty(ClientRules.JwkExpiry, out var exp))
                {
                    // Registration refuses anything but a positive integer; anything else found here fails closed.
                    expires = exp.ValueKind == System.Text.Json.JsonValueKind.Number && exp.TryGetInt64(out var seconds) && seconds is > 0 and <= ClientRules.MaxNumericDate
                        ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                        : DateTimeOffset.MinValue;
                }

                foreach (var key in new JsonWebKeySet($"{{\"keys\":[{jwk.GetRawText()}]}}").GetSigningKeys())
                {
                    keys.Add(new ClientKey(key, expires));
                }
            }

            return keys;
        }
    }

    private async Task<ClientRecord?> FindAsync(OidcTenant tenant, string clientId, CancellationToken ct) =>
        ClientSecrets.IsClientId(clientId) ? await clients.FindAsync(tenant.TenantId, clientId, ct).ConfigureAwait(false) : null;

    /// <summary>RFC 6749 §2.3.1: Basic over application/x-www-form-urlencoded id and secret.</summary>
    private static (string Id, string Secret) ParseBasic(string value)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value));
        }
        catch (FormatException)
        {
            throw ClientProtocolErrors.ClientAuthenticationFailed();
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw ClientProtocolErrors.ClientAuthenticationFailed();
        }

        return (FormDecode(decoded[..colon]), FormDecode(decoded[(colon + 1)..]));
    }

    private static string FormDecode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));

    private static string? Value(IFormCollection form, string name) => form[name] is { Count: 1 } v && !string.IsNullOrEmpty(v[0]) ? v[0] : null;

    private static OAuthException Invalid(string description) =>
        ClientProtocolErrors.Error(OAuthErrors.InvalidRequest, ClientProtocolErrors.InvalidAuthRequest, description);
}
