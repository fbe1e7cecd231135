using System.Net;
using System.Text.Json;
using KoderId.Domain.Keys;
using KoderId.Oidc.Common;
using KoderId.Oidc.Keys;
using KoderId.Oidc.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace KoderId.Oidc.Tests.Discovery;

/// <summary>Discovery per tenant host, with the checks of the OpenID Foundation Config test plan that apply.</summary>
public sealed class DiscoveryTests : IAsyncLifetime
{
    private OidcHost _host = null!;

    public async Task InitializeAsync() => _host = await OidcHost.InMemoryAsync("acme", "beta");

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("localhost")]
    [InlineData("acme.localhost")]
    [InlineData("beta.localhost")]
    public async Task the_issuer_is_the_url_discovery_was_fetched_from_minus_the_well_known_suffix(string host)
    {
        var document = await _host.JsonAsync(host, OidcPaths.Discovery);
        var metadata = await _host.JsonAsync(host, OidcPaths.AuthorizationServerMetadata);

        Assert.Equal($"http://{host}", document.GetProperty("issuer").GetString());
        Assert.Equal(document.GetRawText(), metadata.GetRawText());
    }

    [Fact]
    public async Task each_tenant_host_is_its_own_issuer()
    {
        var issuers = new List<string?>();
        foreach (var host in new[] { "localhost", "acme.localhost", "beta.localhost" })
        {
            issuers.Add((await _host.JsonAsync(host, OidcPaths.Discovery)).GetProperty("issuer").GetString());
        }

        Assert.Equal(3, issuers.Distinct().Count());
    }

    [Fact]
    public async Task discovery_is_public_json_a_cache_may_keep_briefly()
    {
        using var client = _host.Client("acme.localhost");
        using var response = await client.GetAsync(new Uri(OidcPaths.Discovery, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.Public);
        Assert.NotNull(response.Headers.CacheControl?.MaxAge);
    }

    [Fact]
    public async Task every_endpoint_lives_under_the_issuer_and_the_jwks_uri_serves_parseable_keys()
    {
        var document = await _host.JsonAsync("acme.localhost", OidcPaths.Discovery);
        var issuer = document.GetProperty("issuer").GetString()!;

        Assert.Equal(issuer + OidcPaths.Authorize, document.GetProperty("authorization_endpoint").GetString());
        Assert.Equal(issuer + OidcPaths.Token, document.GetProperty("token_endpoint").GetString());
        Assert.Equal(issuer + OidcPaths.UserInfo, document.GetProperty("userinfo_endpoint").GetString());
        Assert.Equal(issuer + OidcPaths.Keys, document.GetProperty("jwks_uri").GetString());
        Assert.Equal(issuer + OidcPaths.Register, document.GetProperty("registration_endpoint").GetString());
        Assert.Equal(issuer + OidcPaths.Introspect, document.GetProperty("introspection_endpoint").GetString());
        Assert.Equal(issuer + OidcPaths.Revoke, document.GetProperty("revocation_endpoint").GetString());
        Assert.Equal(issuer + OidcPaths.EndSession, document.GetProperty("end_session_endpoint").GetString());

        var jwksUri = new Uri(document.GetProperty("jwks_uri").GetString()!);
        var jwks = await _host.JsonAsync(jwksUri.Host, jwksUri.AbsolutePath);
        var set = new JsonWebKeySet(jwks.GetRawText());
        Assert.Equal(2, set.Keys.Count);
        Assert.All(set.Keys, k => Assert.False(k.HasPrivateKey));
    }

    [Fact]
    public async Task the_required_and_advertised_fields_are_present_with_their_values()
    {
        var d = await _host.JsonAsync("acme.localhost", OidcPaths.Discovery);

        foreach (var required in new[] { "issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported" })
        {
            Assert.True(d.TryGetProperty(required, out _), $"missing {required}");
        }

        Assert.Contains("RS256", Strings(d, "id_token_signing_alg_values_supported"));
        Assert.Equal(["RS256", "ES256"], Strings(d, "id_token_signing_alg_values_supported"));
        Assert.Equal(["RS256", "ES256"], Strings(d, "userinfo_signing_alg_values_supported"));
        Assert.Equal(["openid", "profile", "email", "phone", "address", "offline_access", "roles", "metadata", "urn:zitadel:iam:user:metadata"], Strings(d, "scopes_supported"));
        Assert.Equal(["code"], Strings(d, "response_types_supported"));
        Assert.Equal(["query"], Strings(d, "response_modes_supported"));
        Assert.Equal(["authorization_code", "refresh_token", "client_credentials"], Strings(d, "grant_types_supported"));
        Assert.Equal(["public"], Strings(d, "subject_types_supported"));
        Assert.Equal(["client_secret_basic", "client_secret_post", "private_key_jwt", "none"], Strings(d, "token_endpoint_auth_methods_supported"));
        Assert.NotEmpty(Strings(d, "token_endpoint_auth_signing_alg_values_supported"));
        Assert.DoesNotContain("none", Strings(d, "token_endpoint_auth_signing_alg_values_supported"));
        Assert.NotEmpty(Strings(d, "introspection_endpoint_auth_methods_supported"));
        Assert.NotEmpty(Strings(d, "revocation_endpoint_auth_methods_supported"));
        Assert.Equal(["S256"], Strings(d, "code_challenge_methods_supported"));
        Assert.Equal(["none", "login", "consent"], Strings(d, "prompt_values_supported"));
        Assert.Contains("sub", Strings(d, "claims_supported"));
        Assert.Contains("roles", Strings(d, "claims_supported"));
        Assert.False(d.GetProperty("claims_parameter_supported").GetBoolean());
        Assert.False(d.GetProperty("request_parameter_supported").GetBoolean());
        Assert.False(d.GetProperty("request_uri_parameter_supported").GetBoolean());
        Assert.True(d.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
        Assert.False(d.GetProperty("frontchannel_logout_supported").GetBoolean());
        Assert.False(d.GetProperty("backchannel_logout_supported").GetBoolean());
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public async Task a_real_rp_library_reads_our_discovery_and_jwks_and_validates_a_token_we_signed(string algorithm)
    {
        using var http = _host.Client("acme.localhost");
        var manager = new ConfigurationManager<OpenIdConnectConfiguration>(
            "http://acme.localhost" + OidcPaths.Discovery,
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(http) { RequireHttps = false });
        var configuration = await manager.GetConfigurationAsync(CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var token = await _host.Get<ITokenSigner>().SignAsync("acme", algorithm, "at+jwt", new Dictionary<string, object?>
        {
            ["iss"] = configuration.Issuer,
            ["sub"] = "svc-1",
            ["aud"] = "https://api.example",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(15).ToUnixTimeSeconds(),
            ["client_id"] = "svc-1",
        });

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = "https://api.example",
            IssuerSigningKeys = configuration.SigningKeys,
            ValidAlgorithms = [algorithm],
            ValidTypes = ["at+jwt"],
        });

        Assert.Equal("http://acme.localhost", configuration.Issuer);
        Assert.Equal(2, configuration.SigningKeys.Count);
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal("svc-1", result.Claims["sub"]);

        var atBeta = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = "http://beta.localhost",
            ValidateAudience = false,
            IssuerSigningKeys = new JsonWebKeySet((await _host.JsonAsync("beta.localhost", OidcPaths.Keys)).GetRawText()).Keys,
        });
        Assert.False(atBeta.IsValid);
    }

    [Fact]
    public async Task discovery_names_the_algorithms_of_the_keys_it_publishes()
    {
        var d = await _host.JsonAsync("acme.localhost", OidcPaths.Discovery);
        var jwks = await _host.JsonAsync("acme.localhost", OidcPaths.Keys);

        var published = jwks.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("alg").GetString()!).Order().ToArray();

        Assert.Equal(SigningAlgorithms.All.Order(), published);
        Assert.Subset(Strings(d, "id_token_signing_alg_values_supported").ToHashSet(), published.ToHashSet());
    }

    private static string[] Strings(JsonElement document, string name) =>
        document.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();
}
