using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KoderId.Oidc.Clients;
using KoderId.Oidc.Common;
using KoderId.Projections.Clients;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace KoderId.Oidc.Tests.Clients;

/// <summary>RFC 6749 §2.3, RFC 7523 §3: each method succeeds, and each failure is the one invalid_client answer.</summary>
public sealed class ClientAuthenticatorTests : IAsyncLifetime, IDisposable
{
    private const string Redirect = "https://shop.example.com/cb";
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private ClientHost _host = null!;
    private OidcTenant _acme = null!;

    public async Task InitializeAsync()
    {
        _host = await ClientHost.StartAsync();
        _acme = await _host.TenantAsync("acme");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose()
    {
        _key.Dispose();
        _otherKey.Dispose();
    }

    private ClientAuthenticator Authenticator => _host.Services.GetRequiredService<ClientAuthenticator>();

    [Fact]
    public async Task client_secret_basic_authenticates_with_form_urlencoded_credentials_inside_basic()
    {
        var (id, secret) = await SecretClientAsync("client_secret_basic");
        var client = await AuthenticateAsync(Basic(id, secret!), []);
        Assert.Equal((id, "client_secret_basic"), (client.ClientId, client.Method));
    }

    [Fact]
    public async Task client_secret_post_authenticates_with_the_form()
    {
        var (id, secret) = await SecretClientAsync("client_secret_post");
        var client = await AuthenticateAsync(null, new() { ["client_id"] = id, ["client_secret"] = secret });
        Assert.Equal("client_secret_post", client.Method);
    }

    [Fact]
    public async Task a_wrong_secret_an_unknown_client_and_another_tenants_client_answer_the_same()
    {
        var (id, secret) = await SecretClientAsync("client_secret_basic");
        var wrong = await FailsAsync(Basic(id, secret![..^2] + "xx"), []);
        var unknown = await FailsAsync(Basic("0197a3f2c1d47c3e9b5a2f6d8e0c1b2a", secret), []);
        var garbage = await FailsAsync(Basic("not an id", secret), []);
        var otherTenant = await FailsAsync(Basic(id, secret), [], await _host.TenantAsync("globex"));
        Assert.All([wrong, unknown, garbage, otherTenant], e =>
        {
            Assert.Equal((OAuthErrors.InvalidClient, 401), (e.Error, e.Status));
            Assert.Equal(wrong.Description, e.Description);
        });
        Assert.Contains("KID2100", wrong.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, wrong.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_method_used_must_be_the_registered_one()
    {
        var (basicId, basicSecret) = await SecretClientAsync("client_secret_basic");
        var (postId, postSecret) = await SecretClientAsync("client_secret_post");
        Assert.Equal(OAuthErrors.InvalidClient, (await FailsAsync(null, new() { ["client_id"] = basicId, ["client_secret"] = basicSecret })).Error);
        Assert.Equal(OAuthErrors.InvalidClient, (await FailsAsync(Basic(postId, postSecret!), [])).Error);
        Assert.Equal(OAuthErrors.InvalidClient, (await FailsAsync(null, new() { ["client_id"] = basicId })).Error);
    }

    [Fact]
    public async Task two_methods_in_one_request_or_a_repeated_parameter_are_invalid_request()
    {
        var (id, secret) = await SecretClientAsync("client_secret_basic");
        var both = await FailsAsync(Basic(id, secret!), new() { ["client_id"] = id, ["client_secret"] = secret });
        Assert.Equal((OAuthErrors.InvalidRequest, 400), (both.Error, both.Status));
        Assert.Contains("KID2101", both.Description, StringComparison.Ordinal);
        var withAssertion = await FailsAsync(Basic(id, secret!), new() { ["client_assertion_type"] = ClientAuthenticator.JwtBearerAssertionType, ["client_assertion"] = "a.b.c" });
        Assert.Equal(OAuthErrors.InvalidRequest, withAssertion.Error);
        var repeated = await FailsAsync(null, new() { ["client_id"] = new StringValues([id, id]), ["client_secret"] = secret });
        Assert.Equal(OAuthErrors.InvalidRequest, repeated.Error);
        var mismatch = await FailsAsync(Basic(id, secret!), new() { ["client_id"] = "0197a3f2c1d47c3e9b5a2f6d8e0c1b2a" });
        Assert.Equal(OAuthErrors.InvalidRequest, mismatch.Error);
        var nothing = await FailsAsync(null, []);
        Assert.Equal(OAuthErrors.InvalidClient, nothing.Error);
    }

    [Fact]
    public async Task a_public_client_names_itself_and_a_confidential_one_cannot()
    {
        var (id, _) = await _host.CreateClientAsync("acme", new { name = "App", type = "public", redirectUris = new[] { "http://127.0.0.1/cb" } });
        Assert.Equal("none", (await AuthenticateAsync(null, new() { ["client_id"] = id })).Method);
        Assert.Equal(OAuthErrors.InvalidClient, (await FailsAsync(null, new() { ["client_id"] = id, ["client_secret"] = "anything" })).Error);
    }

    [Fact]
    public async Task a_rotated_secret_stops_working_at_once_and_a_deleted_client_authenticates_nothing()
    {
        var (id, secret) = await SecretClientAsync("client_secret_basic");
        await AuthenticateAsync(Basic(id, secret!), []);
        var rotated = await _host.Api.OkAsync(HttpMethod.Post, $"/v1/admin/clients/{id}/secret", "acme");
        var fresh = rotated.GetProperty("clientSecret").GetString()!;
        await FailsAsync(Basic(id, secret!), []);
        await AuthenticateAsync(Basic(id, fresh), []);

        using var deleted = await _host.Api.SendAsync(HttpMethod.Delete, $"/v1/admin/clients/{id}", "acme");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await FailsAsync(Basic(id, fresh), []);
    }

    [Fact]
    public async Task a_cached_client_authenticates_without_a_database_read()
    {
        var (id, secret) = await SecretClientAsync("client_secret_basic");
        var directory = _host.Services.GetRequiredService<ClientDirectory>();
        await AuthenticateAsync(Basic(id, secret!), []);
        var reads = directory.DatabaseReads;
        for (var i = 0; i < 20; i++)
        {
            await AuthenticateAsync(Basic(id, secret!), []);
        }

        Assert.Equal(reads, directory.DatabaseReads);
    }

    [Fact]
    public async Task private_key_jwt_authenticates_once_per_jti()
    {
        var id = await KeyClientAsync();
        var assertion = Assertion(id);
        var client = await AuthenticateAsync(null, AssertionForm(assertion));
        Assert.Equal("private_key_jwt", client.Method);
        var replay = await FailsAsync(null, AssertionForm(assertion));
        Assert.Equal((OAuthErrors.InvalidClient, 401), (replay.Error, replay.Status));
        await AuthenticateAsync(null, AssertionForm(Assertion(id, audience: _acme.Issuer)));
    }

    [Fact]
    public async Task a_key_past_its_jwk_exp_no_longer_authenticates_and_the_clients_other_keys_still_do()
    {
        var p = _key.ExportParameters(false);
        var o = _otherKey.ExportParameters(false);
        var past = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds();
        var future = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds();
        var jwks = new
        {
            keys = new object[]
            {
                new { kty = "EC", crv = "P-256", kid = "k1", x = Base64Url.EncodeToString(p.Q.X), y = Base64Url.EncodeToString(p.Q.Y), exp = past },
                new { kty = "EC", crv = "P-256", kid = "k2", x = Base64Url.EncodeToString(o.Q.X), y = Base64Url.EncodeToString(o.Q.Y), exp = future },
            },
        };
        var (id, _) = await _host.CreateClientAsync("acme", new { name = "Batch", grantTypes = new[] { "client_credentials" }, tokenEndpointAuthMethod = "private_key_jwt", jwks });

        Assert.Equal(OAuthErrors.InvalidClient, (await FailsAsync(null, AssertionForm(Assertion(id)))).Error);
        Assert.Equal("private_key_jwt", (await AuthenticateAsync(null, AssertionForm(Assertion(id, key: _otherKey)))).Method);
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("far-future")]
    [InlineData("no-exp")]
    [InlineData("wrong-aud")]
    [InlineData("other-key")]
    [InlineData("no-jti")]
    [InlineData("sub-differs")]
    [InlineData("alg-none")]
    [InlineData("hs256")]
    [InlineData("garbage")]
    [InlineData("wrong-type")]
    public async Task a_bad_assertion_is_invalid_client(string what)
    {
        var id = await KeyClientAsync();
        var now = DateTime.UtcNow;
        var assertion = what switch
        {
            "expired" => Assertion(id, expires: now.AddMinutes(-2), issuedAt: now.AddMinutes(-3)),
            "far-future" => Assertion(id, expires: now.AddHours(1)),
            "no-exp" => Assertion(id, withExp: false),
            "wrong-aud" => Assertion(id, audience: "https://evil.example/token"),
            "other-key" => Assertion(id, key: _otherKey),
            "no-jti" => Assertion(id, jti: null),
            "sub-differs" => Assertion(id, subject: "0197a3f2c1d47c3e9b5a2f6d8e0c1b2a"),
            "alg-none" => Unsigned(id),
            "hs256" => Hs256(id),
            _ => "not.a.jwt",
        };
        var form = AssertionForm(assertion);
        if (what == "wrong-type")
        {
            form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:saml2-bearer";
        }

        var error = await FailsAsync(null, form);
        Assert.Equal(what == "wrong-type" ? OAuthErrors.InvalidRequest : OAuthErrors.InvalidClient, error.Error);
    }

    private async Task<(string Id, string? Secret)> SecretClientAsync(string method) =>
        await _host.CreateClientAsync("acme", new { name = "Shop", redirectUris = new[] { Redirect }, tokenEndpointAuthMethod = method, grantTypes = new[] { "authorization_code", "client_credentials" } });

    private async Task<string> KeyClientAsync()
    {
        var p = _key.ExportParameters(false);
        var jwks = new { keys = new[] { new { kty = "EC", crv = "P-256", kid = "k1", x = Base64Url.EncodeToString(p.Q.X), y = Base64Url.EncodeToString(p.Q.Y) } } };
        var (id, secret) = await _host.CreateClientAsync("acme", new { name = "Batch", grantTypes = new[] { "client_credentials" }, tokenEndpointAuthMethod = "private_key_jwt", jwks });
        Assert.Null(secret);
        return id;
    }

    private string Assertion(string clientId, DateTime? expires = null, DateTime? issuedAt = null, string? audience = null, ECDsa? key = null,
        string? jti = "default", string? subject = null, bool withExp = true)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object> { ["sub"] = subject ?? clientId };
        if (jti is not null)
        {
            claims["jti"] = jti == "default" ? Guid.NewGuid().ToString("N") : jti;
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = audience ?? _acme.Endpoint(OidcPaths.Token),
            Claims = claims,
            IssuedAt = issuedAt ?? now,
            NotBefore = issuedAt ?? now,
            Expires = withExp ? expires ?? now.AddMinutes(2) : null,
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key ?? _key) { KeyId = "k1" }, SecurityAlgorithms.EcdsaSha256),
        };

        // Without this the handler would add an exp of its own to a token meant to have none.
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    private string Unsigned(string clientId)
    {
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes("""{"alg":"none","typ":"JWT"}"""));
        var exp = DateTimeOffset.UtcNow.AddMinutes(2).ToUnixTimeSeconds();
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            iss = clientId, sub = clientId, aud = _acme.Endpoint(OidcPaths.Token), exp, jti = Guid.NewGuid().ToString("N"),
        })));
        return $"{header}.{payload}.";
    }

    /// <summary>The classic key-confusion attempt: HMAC with the client's public key bytes as the secret.</summary>
    private string Hs256(string clientId)
    {
        var p = _key.ExportParameters(false);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = _acme.Endpoint(OidcPaths.Token),
            Claims = new Dictionary<string, object> { ["sub"] = clientId, ["jti"] = Guid.NewGuid().ToString("N") },
            Expires = DateTime.UtcNow.AddMinutes(2),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey([.. p.Q.X!, .. p.Q.Y!]), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private static Dictionary<string, StringValues> AssertionForm(string assertion) => new()
    {
        ["client_assertion_type"] = ClientAuthenticator.JwtBearerAssertionType,
        ["client_assertion"] = assertion,
    };

    private static string Basic(string id, string secret) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(id)}:{Uri.EscapeDataString(secret)}"));

    private Task<AuthenticatedClient> AuthenticateAsync(string? authorization, Dictionary<string, StringValues> form, OidcTenant? tenant = null)
    {
        var http = new DefaultHttpContext();
        http.Request.Path = OidcPaths.Token;
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }

        return Authenticator.AuthenticateAsync(http, tenant ?? _acme, new FormCollection(form));
    }

    private async Task<OAuthException> FailsAsync(string? authorization, Dictionary<string, StringValues> form, OidcTenant? tenant = null) =>
        await Assert.ThrowsAsync<OAuthException>(() => AuthenticateAsync(authorization, form, tenant));
}
