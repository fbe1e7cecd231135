using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace KoderId.Oidc.Tests.Conformance.Config;

/// <summary>
/// The OpenID Foundation Config OP plan (oidcc-discovery-*, oidcc-jwks-*) beyond what Discovery/DiscoveryTests
/// covers: the keys are well formed for their algorithm, and what a real sign-in issues agrees with what
/// discovery and JWKS advertise.
/// </summary>
public sealed class ConfigPlanTests(SharedOidcHost shared) : IClassFixture<SharedOidcHost>
{
    private readonly OidcHost _host = shared.Host;

    [Fact]
    public async Task oidcc_discovery_the_https_issuer_is_the_origin_discovery_was_fetched_from()
    {
        using var browser = _host.Browser();

        var discovery = await JsonAsync(browser, "/.well-known/openid-configuration");

        Assert.Equal(OidcHost.Issuer, discovery.GetProperty("issuer").GetString());
        Assert.StartsWith(OidcHost.Issuer + "/", discovery.GetProperty("jwks_uri").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task oidcc_jwks_every_key_is_public_signing_only_with_a_unique_kid_and_a_strength_fit_for_its_alg()
    {
        using var browser = _host.Browser();
        var jwks = await JwksAsync(browser);

        Assert.Equal(jwks.Keys.Count, jwks.Keys.Select(k => k.Kid).Distinct(StringComparer.Ordinal).Count());
        foreach (var key in jwks.Keys)
        {
            Assert.False(string.IsNullOrEmpty(key.Kid));
            Assert.Equal("sig", key.Use);
            Assert.False(key.HasPrivateKey);
            switch (key.Alg)
            {
                case "RS256":
                    Assert.Equal("RSA", key.Kty);
                    Assert.True(Base64UrlEncoder.DecodeBytes(key.N).Length * 8 >= 2048, "an RSA modulus of at least 2048 bits");
                    break;
                case "ES256":
                    Assert.Equal("EC", key.Kty);
                    Assert.Equal("P-256", key.Crv);
                    break;
                default:
                    Assert.Fail($"unexpected alg {key.Alg}");
                    break;
            }
        }
    }

    [Fact]
    public async Task oidcc_idtoken_signature_a_real_id_token_validates_against_the_published_keys_and_its_claims_are_advertised()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        var tokens = await _host.RedeemAsync((await _host.SignInAsync(browser, challenge))["code"], verifier);
        var discovery = await JsonAsync(browser, "/.well-known/openid-configuration");
        var jwks = await JwksAsync(browser);
        var idToken = tokens.GetProperty("id_token").GetString()!;

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = discovery.GetProperty("issuer").GetString(),
            ValidAudience = _host.ClientId,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = discovery.GetProperty("id_token_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString()!).ToArray(),
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        var advertised = discovery.GetProperty("claims_supported").EnumerateArray().Select(c => c.GetString()).ToHashSet();
        foreach (var claim in OidcHost.Payload(idToken).EnumerateObject().Select(p => p.Name).Except(["iss", "aud", "exp", "iat", "nonce", "at_hash", "auth_time", "sid", "amr", "acr", "azp", "jti", "nbf"]))
        {
            Assert.Contains(claim, advertised);
        }
    }

    private static async Task<JsonWebKeySet> JwksAsync(HttpClient browser)
    {
        using var response = await browser.GetAsync("/oauth/v2/keys");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("json", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return new JsonWebKeySet(await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> JsonAsync(HttpClient browser, string path)
    {
        using var response = await browser.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
