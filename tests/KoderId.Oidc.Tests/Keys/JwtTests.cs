using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KoderId.Domain.Keys;
using KoderId.Oidc.Common;
using KoderId.Oidc.Keys;
using KoderId.Oidc.Tests.Infrastructure;

namespace KoderId.Oidc.Tests.Keys;

public sealed class JwtTests : IAsyncLifetime
{
    private const string Acme = "http://acme.localhost";
    private OidcHost _host = null!;

    public async Task InitializeAsync() => _host = await OidcHost.InMemoryAsync("acme", "beta");

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private ITokenSigner Signer => _host.Get<ITokenSigner>();

    private JwtValidator Validator => _host.Get<JwtValidator>();

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public async Task a_token_we_signed_validates_at_its_tenant_with_its_claims(string algorithm)
    {
        var token = await SignAsync(algorithm, "at+jwt");

        var result = await Validator.ValidateAsync("acme", Acme, token, expectedType: "at+jwt");

        Assert.True(result.Succeeded, result.Failure?.Description);
        Assert.Equal(algorithm, result.Token!.Algorithm);
        Assert.Equal("at+jwt", result.Token.Type);
        Assert.Equal("alice", result.Token.Claim("sub"));
        Assert.Equal(["a", "b"], result.Token.Claims.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        var header = Header(token);
        Assert.Equal(algorithm, header.GetProperty("alg").GetString());
        Assert.StartsWith(algorithm + "-", header.GetProperty("kid").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_header_is_alg_kid_typ_and_the_payload_is_the_claims_as_given()
    {
        var token = await Signer.SignAsync("acme", "ES256", "at+jwt", new Dictionary<string, object?> { ["iss"] = Acme, ["scope"] = "read", ["skip"] = null });

        Assert.Equal(["alg", "kid", "typ"], Header(token).EnumerateObject().Select(p => p.Name).Order());
        var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[1])).RootElement;
        Assert.Equal(["iss", "scope"], payload.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(64, Base64Url.DecodeFromChars(token.Split('.')[2]).Length);
    }

    [Fact]
    public async Task the_active_keys_are_the_ones_discovery_says_the_policy_defaults_to()
    {
        var policy = _host.Get<ISigningAlgorithmPolicy>();

        Assert.Equal("ES256", await policy.AccessTokenAlgorithmAsync("acme"));
        Assert.Equal("RS256", await policy.IdTokenAlgorithmAsync("acme"));
        Assert.Equal("ES256", await policy.IdTokenAlgorithmAsync("acme", "ES256"));
        Assert.Equal("RS256", await policy.IdTokenAlgorithmAsync("acme", "HS256"));
    }

    [Fact]
    public async Task alg_none_is_refused()
    {
        var valid = await SignAsync("RS256");
        var parts = valid.Split('.');
        var none = $"{B64(new { alg = "none", kid = Header(valid).GetProperty("kid").GetString(), typ = "JWT" })}.{parts[1]}.";

        await AssertRefusedAsync(none, TokenErrors.UnsupportedAlgorithm);
    }

    [Fact]
    public async Task an_hs256_token_keyed_with_our_public_key_is_refused()
    {
        var valid = await SignAsync("RS256");
        var kid = Header(valid).GetProperty("kid").GetString()!;
        var jwk = (await _host.JsonAsync("acme.localhost", OidcPaths.Keys)).GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() == kid);
        var candidates = new[]
        {
            Encoding.UTF8.GetBytes(jwk.GetRawText()),
            Base64Url.DecodeFromChars(jwk.GetProperty("n").GetString()),
            Encoding.UTF8.GetBytes(PublicPem(jwk)),
        };

        foreach (var secret in candidates)
        {
            var input = $"{B64(new { alg = "HS256", kid, typ = "JWT" })}.{valid.Split('.')[1]}";
            var forged = $"{input}.{Base64Url.EncodeToString(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)))}";
            await AssertRefusedAsync(forged, TokenErrors.UnsupportedAlgorithm);
        }
    }

    [Fact]
    public async Task a_header_that_claims_another_algorithm_than_its_key_is_refused()
    {
        var es = await SignAsync("ES256");
        var parts = es.Split('.');
        var header = JsonSerializer.Deserialize<Dictionary<string, string>>(Base64Url.DecodeFromChars(parts[0]))!;
        header["alg"] = "RS256";

        await AssertRefusedAsync($"{B64(header)}.{parts[1]}.{parts[2]}", TokenErrors.UnsupportedAlgorithm);
    }

    [Fact]
    public async Task a_tampered_payload_is_refused()
    {
        var token = await SignAsync("ES256");
        var parts = token.Split('.');
        var claims = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64Url.DecodeFromChars(parts[1]))!;
        claims["sub"] = JsonSerializer.SerializeToElement("mallory");

        await AssertRefusedAsync($"{parts[0]}.{B64(claims)}.{parts[2]}", TokenErrors.InvalidSignature);
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public async Task acmes_token_is_refused_at_beta(string algorithm)
    {
        var token = await SignAsync(algorithm);
        _ = await Signer.SignAsync("beta", algorithm, "JWT", new Dictionary<string, object?>());

        var atBeta = await Validator.ValidateAsync("beta", "http://beta.localhost", token);

        Assert.Equal(TokenErrors.UnknownKey, atBeta.Failure?.Code);
    }

    [Fact]
    public async Task an_expired_token_is_refused_beyond_the_clock_skew()
    {
        var token = await SignAsync("ES256", lifetime: TimeSpan.FromMinutes(5));

        _host.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(30));
        Assert.True((await Validator.ValidateAsync("acme", Acme, token)).Succeeded);
        _host.Clock.Advance(TimeSpan.FromSeconds(31));
        await AssertRefusedAsync(token, TokenErrors.Expired);
    }

    [Fact]
    public async Task a_token_not_valid_yet_is_refused()
    {
        var token = await Signer.SignAsync("acme", "ES256", "JWT", new Dictionary<string, object?>
        {
            ["iss"] = Acme,
            ["nbf"] = (_host.Clock.UtcNow + TimeSpan.FromMinutes(10)).ToUnixTimeSeconds(),
            ["exp"] = (_host.Clock.UtcNow + TimeSpan.FromMinutes(20)).ToUnixTimeSeconds(),
        });

        await AssertRefusedAsync(token, TokenErrors.NotYetValid);
    }

    [Fact]
    public async Task a_token_for_another_issuer_is_refused()
    {
        var token = await SignAsync("RS256");

        var result = await Validator.ValidateAsync("acme", "http://localhost", token);

        Assert.Equal(TokenErrors.WrongIssuer, result.Failure?.Code);
    }

    [Fact]
    public async Task a_token_of_another_type_is_refused_when_a_type_is_expected()
    {
        var idToken = await SignAsync("RS256", typ: "JWT");

        var result = await Validator.ValidateAsync("acme", Acme, idToken, expectedType: "at+jwt");

        Assert.Equal(TokenErrors.WrongType, result.Failure?.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d.e")]
    [InlineData("!!!.???.***")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.e30.")]
    [InlineData("bm90IGpzb24.e30.c2ln")]
    public async Task a_malformed_token_is_refused_without_an_exception(string token)
    {
        var result = await Validator.ValidateAsync("acme", Acme, token);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Failure!.Code, TokenErrors.All.Keys);
    }

    private async Task AssertRefusedAsync(string token, string code)
    {
        var result = await Validator.ValidateAsync("acme", Acme, token);
        Assert.False(result.Succeeded);
        Assert.Equal(code, result.Failure!.Code);
    }

    private async Task<string> SignAsync(string algorithm, string typ = "JWT", TimeSpan? lifetime = null) =>
        await Signer.SignAsync("acme", algorithm, typ, new Dictionary<string, object?>
        {
            ["iss"] = Acme,
            ["sub"] = "alice",
            ["aud"] = "api",
            ["iat"] = _host.Clock.UtcNow.ToUnixTimeSeconds(),
            ["exp"] = (_host.Clock.UtcNow + (lifetime ?? TimeSpan.FromMinutes(15))).ToUnixTimeSeconds(),
            ["roles"] = new[] { "a", "b" },
        });

    private static JsonElement Header(string token) => JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[0])).RootElement.Clone();

    private static string B64(object value) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));

    private static string PublicPem(JsonElement jwk)
    {
        using var rsa = RSA.Create(new RSAParameters
        {
            Modulus = Base64Url.DecodeFromChars(jwk.GetProperty("n").GetString()),
            Exponent = Base64Url.DecodeFromChars(jwk.GetProperty("e").GetString()),
        });
        return rsa.ExportSubjectPublicKeyInfoPem();
    }
}
