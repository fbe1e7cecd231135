using System.Net;
using System.Text.Json;
using KoderId.Domain.Keys;
using KoderId.Oidc.Common;
using KoderId.Oidc.Keys;
using KoderId.Oidc.Tests.Infrastructure;

namespace KoderId.Oidc.Tests.Keys;

public sealed class JwksTests : IAsyncLifetime
{
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];
    private OidcHost _host = null!;

    public async Task InitializeAsync() => _host = await OidcHost.InMemoryAsync("acme", "beta");

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task jwks_publishes_an_rs256_and_an_es256_public_key_with_no_private_member()
    {
        using var client = _host.Client("acme.localhost");
        using var response = await client.GetAsync(new Uri(OidcPaths.Keys, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/jwk-set+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.Public);
        Assert.InRange(response.Headers.CacheControl!.MaxAge!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        var keys = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("keys").EnumerateArray().ToArray();

        Assert.Equal(2, keys.Length);
        Assert.All(keys, k =>
        {
            Assert.Equal("sig", k.GetProperty("use").GetString());
            Assert.All(PrivateMembers, m => Assert.False(k.TryGetProperty(m, out _), $"private member {m} in JWKS"));
        });
        var rsa = Assert.Single(keys, k => k.GetProperty("alg").GetString() == "RS256");
        Assert.Equal("RSA", rsa.GetProperty("kty").GetString());
        Assert.Equal(256, Convert.FromBase64String(Pad(rsa.GetProperty("n").GetString()!)).Length);
        Assert.Equal("AQAB", rsa.GetProperty("e").GetString());
        var ec = Assert.Single(keys, k => k.GetProperty("alg").GetString() == "ES256");
        Assert.Equal("EC", ec.GetProperty("kty").GetString());
        Assert.Equal("P-256", ec.GetProperty("crv").GetString());
        Assert.True(ec.TryGetProperty("x", out _) && ec.TryGetProperty("y", out _));
        Assert.Equal(keys.Length, keys.Select(k => k.GetProperty("kid").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task each_tenant_publishes_its_own_keys()
    {
        var acme = Kids(await _host.JsonAsync("acme.localhost", OidcPaths.Keys));
        var beta = Kids(await _host.JsonAsync("beta.localhost", OidcPaths.Keys));
        var bare = Kids(await _host.JsonAsync("localhost", OidcPaths.Keys));

        Assert.Empty(acme.Intersect(beta));
        Assert.Empty(acme.Intersect(bare));
        Assert.Empty(beta.Intersect(bare));
    }

    [Fact]
    public async Task an_unknown_tenant_host_is_a_404_problem()
    {
        using var client = _host.Client("nobody.localhost");

        foreach (var path in new[] { OidcPaths.Keys, OidcPaths.Discovery, OidcPaths.AuthorizationServerMetadata })
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("KID1002", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task jwks_discovery_and_signing_append_nothing_once_the_first_keys_exist()
    {
        var signer = _host.Get<ITokenSigner>();
        using var client = _host.Client("acme.localhost");
        _ = await signer.SignAsync("acme", SigningAlgorithms.ES256, "at+jwt", Claims());
        var head = await _host.HeadAsync();

        for (var i = 0; i < 50; i++)
        {
            using var keys = await client.GetAsync(new Uri(OidcPaths.Keys, UriKind.Relative));
            using var discovery = await client.GetAsync(new Uri(OidcPaths.Discovery, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
            Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
            _ = await signer.SignAsync("acme", SigningAlgorithms.ES256, "at+jwt", Claims());
            _ = await signer.SignAsync("acme", SigningAlgorithms.RS256, "JWT", Claims());
        }

        Assert.Equal(head, await _host.HeadAsync());
    }

    [Fact]
    public async Task a_tenant_gets_its_first_keys_once_however_many_ask_at_once()
    {
        var signer = _host.Get<ITokenSigner>();
        var head = await _host.HeadAsync();

        var tokens = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            signer.SignAsync("beta", i % 2 == 0 ? SigningAlgorithms.ES256 : SigningAlgorithms.RS256, "JWT", Claims()).AsTask()));

        Assert.Equal(16, tokens.Length);
        Assert.Equal(head + 2, await _host.HeadAsync());
    }

    private static Dictionary<string, object?> Claims() => new()
    {
        ["iss"] = "http://acme.localhost",
        ["sub"] = "alice",
        ["exp"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(),
    };

    private static HashSet<string> Kids(JsonElement jwks) =>
        jwks.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).ToHashSet(StringComparer.Ordinal);

    private static string Pad(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - (s.Length % 4)) % 4);
    }
}
