using System.Net;
using System.Net.Http.Headers;
using System.Text;
using KoderId.Oidc.Common;
using KoderId.Oidc.Tests.Clients;
using KoderId.Oidc.Tests.Conformance;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Tests.Introspection;

/// <summary>RFC 7662 through the real host: what is active, what is exactly <c>{"active":false}</c>, and who may ask.</summary>
public sealed class IntrospectionTests : IAsyncLifetime
{
    private OidcHost _host = null!;

    public async Task InitializeAsync() => _host = await OidcHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task an_active_access_token_introspects_with_its_claims()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        browser.Dispose();
        var access = tokens.GetProperty("access_token").GetString()!;
        var at = OidcHost.Payload(access);

        var body = await _host.IntrospectJsonAsync(access);

        Assert.True(body.GetProperty("active").GetBoolean());
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(_host.UserId, body.GetProperty("sub").GetString());
        Assert.Equal(_host.ClientId, body.GetProperty("client_id").GetString());
        Assert.Equal("openid profile email offline_access", body.GetProperty("scope").GetString());
        Assert.Equal(OidcHost.Issuer, body.GetProperty("iss").GetString());
        Assert.Equal("acme", body.GetProperty("tid").GetString());
        Assert.Equal(at.GetProperty("sid").GetString(), body.GetProperty("sid").GetString());
        Assert.Equal(at.GetProperty("jti").GetString(), body.GetProperty("jti").GetString());
        Assert.Equal(at.GetProperty("exp").GetInt64(), body.GetProperty("exp").GetInt64());
        Assert.Equal(at.GetProperty("iat").GetInt64(), body.GetProperty("iat").GetInt64());
        Assert.Equal(_host.ClientId, body.GetProperty("aud").GetString());
        Assert.Equal("alice", body.GetProperty("username").GetString());
    }

    [Fact]
    public async Task a_refresh_token_is_active_until_it_is_rotated_out()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        browser.Dispose();
        var refresh = tokens.GetProperty("refresh_token").GetString()!;

        var body = await _host.IntrospectJsonAsync(refresh, hint: "refresh_token");
        Assert.True(body.GetProperty("active").GetBoolean());
        Assert.Equal("refresh_token", body.GetProperty("token_type").GetString());
        Assert.Equal(_host.UserId, body.GetProperty("sub").GetString());
        Assert.Equal(_host.ClientId, body.GetProperty("client_id").GetString());

        using var rotated = await _host.RefreshAsync(refresh);
        var next = (await ClientHost.JsonAsync(rotated, HttpStatusCode.OK)).GetProperty("refresh_token").GetString()!;

        Assert.Equal("""{"active":false}""", (await _host.IntrospectJsonAsync(refresh)).GetRawText());
        Assert.True(await _host.IsActiveAsync(next));
    }

    [Fact]
    public async Task a_hint_of_the_wrong_type_or_an_unknown_hint_is_ignored()
    {
        var access = await _host.ClientCredentialsTokenAsync();

        Assert.True((await _host.IntrospectJsonAsync(access, hint: "refresh_token")).GetProperty("active").GetBoolean());
        Assert.True((await _host.IntrospectJsonAsync(access, hint: "id_token")).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task a_resource_server_may_introspect_a_token_issued_to_another_client_of_its_tenant()
    {
        var access = await _host.ClientCredentialsTokenAsync();
        var (id, secret) = await _host.ResourceServerAsync();

        var body = await _host.IntrospectJsonAsync(access, clientId: id, secret: secret);

        Assert.True(body.GetProperty("active").GetBoolean());
        Assert.Equal(_host.ClientId, body.GetProperty("client_id").GetString());
    }

    [Theory]
    [InlineData("x")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.e30.AAAA")]
    [InlineData("kid_0123456789abcdef_0123456789abcdef0123456789abcdef")]
    [InlineData("0197a3f2c1d47c3e9b5a2f6d8e0c1b2a.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task unknown_or_malformed_tokens_are_exactly_inactive(string token)
    {
        Assert.Equal("""{"active":false}""", (await _host.IntrospectJsonAsync(token)).GetRawText());
    }

    [Fact]
    public async Task forged_tokens_are_exactly_inactive()
    {
        var access = await _host.ClientCredentialsTokenAsync();

        Assert.Equal("""{"active":false}""", (await _host.IntrospectJsonAsync(OidcHost.AlgNone(access))).GetRawText());
        Assert.Equal("""{"active":false}""", (await _host.IntrospectJsonAsync(await _host.Hs256WithPublicKeyAsync(access))).GetRawText());
        Assert.Equal("""{"active":false}""", (await _host.IntrospectJsonAsync(OidcHost.Tampered(access, "scope", "api admin"))).GetRawText());
        Assert.Equal("""{"active":false}""", (await _host.IntrospectJsonAsync(access + "x")).GetRawText());
    }

    [Fact]
    public async Task another_tenants_token_is_inactive_and_acmes_token_is_inactive_at_globex()
    {
        var globex = await _host.GlobexTokenAsync();
        var acme = await _host.ClientCredentialsTokenAsync();
        var (globexClient, globexSecret) = await _host.ResourceServerAsync("globex");

        Assert.Equal("""{"active":false}""", (await _host.IntrospectJsonAsync(globex)).GetRawText());
        Assert.Equal("""{"active":false}""", (await _host.IntrospectJsonAsync(acme, clientId: globexClient, secret: globexSecret, issuer: OidcHost.GlobexIssuer)).GetRawText());
        Assert.True(await _host.IsActiveAsync(acme));
    }

    [Fact]
    public async Task an_id_token_is_not_an_access_token()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        browser.Dispose();

        Assert.Equal("""{"active":false}""", (await _host.IntrospectJsonAsync(tokens.GetProperty("id_token").GetString()!)).GetRawText());
    }

    [Fact]
    public async Task a_disabled_user_s_tokens_are_inactive()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        browser.Dispose();
        var access = tokens.GetProperty("access_token").GetString()!;
        Assert.True(await _host.IsActiveAsync(access));

        using (var disabled = await _host.Host.Api.SendAsync(HttpMethod.Post, $"/v1/users/{_host.UserId}/disable", "acme"))
        {
            Assert.True(disabled.IsSuccessStatusCode, await disabled.Content.ReadAsStringAsync());
        }

        Assert.False(await _host.IsActiveAsync(access));
    }

    [Fact]
    public async Task introspection_requires_an_authenticated_confidential_client()
    {
        var access = await _host.ClientCredentialsTokenAsync();

        using (var none = await _host.PostFormAsync(OidcHost.Issuer + "/oauth/v2/introspect", new() { ["token"] = access }, clientId: ""))
        {
            await ClientHost.OAuthErrorAsync(none, HttpStatusCode.Unauthorized, "invalid_client", "KID2100");
        }

        using (var wrong = await _host.IntrospectAsync(access, secret: "not-the-secret"))
        {
            await ClientHost.OAuthErrorAsync(wrong, HttpStatusCode.Unauthorized, "invalid_client", "KID2100");
        }

        var (spa, _) = await _host.Host.CreateClientAsync("acme", new
        {
            name = "SPA",
            type = "public",
            redirectUris = new[] { "https://spa.example/cb" },
        });
        using var publicClient = await _host.PostFormAsync(OidcHost.Issuer + "/oauth/v2/introspect", new() { ["token"] = access, ["client_id"] = spa }, clientId: "");
        await ClientHost.OAuthErrorAsync(publicClient, HttpStatusCode.Unauthorized, "invalid_client", EndpointErrors.IntrospectionPublicClient);
    }

    [Fact]
    public async Task bad_requests_get_invalid_request_never_a_500()
    {
        var url = OidcHost.Issuer + "/oauth/v2/introspect";
        using (var missing = await _host.PostFormAsync(url, new() { ["token_type_hint"] = "access_token" }))
        {
            await ClientHost.OAuthErrorAsync(missing, HttpStatusCode.BadRequest, "invalid_request", "KID2140");
        }

        using (var json = await _host.PostFormAsync(url, new() { ["token"] = "x" }, mediaType: "application/json"))
        {
            await ClientHost.OAuthErrorAsync(json, HttpStatusCode.BadRequest, "invalid_request", "KID2140");
        }

        using (var repeated = await RawAsync(url, "token=a&token=b"))
        {
            await ClientHost.OAuthErrorAsync(repeated, HttpStatusCode.BadRequest, "invalid_request", "KID2140");
        }

        using (var huge = await RawAsync(url, "token=" + new string('a', 70 * 1024)))
        {
            await ClientHost.OAuthErrorAsync(huge, HttpStatusCode.RequestEntityTooLarge, "invalid_request", "KID2140");
        }

        using var client = _host.Browser();
        using var get = await client.GetAsync("/oauth/v2/introspect?token=x");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
    }

    [Fact]
    public async Task introspection_appends_nothing_and_reuses_the_signature_check()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        browser.Dispose();
        var access = tokens.GetProperty("access_token").GetString()!;
        var refresh = tokens.GetProperty("refresh_token").GetString()!;
        Assert.True(await _host.IsActiveAsync(access));
        var cache = _host.Host.Services.GetRequiredService<SignatureCache>();
        var cached = cache.Count;

        var head = await _host.Host.Api.HeadAsync();
        for (var i = 0; i < 10; i++)
        {
            Assert.True(await _host.IsActiveAsync(access));
            Assert.True(await _host.IsActiveAsync(refresh));
            Assert.False(await _host.IsActiveAsync("garbage"));
        }

        Assert.Equal(head, await _host.Host.Api.HeadAsync());
        Assert.Equal(cached, cache.Count);
    }

    private async Task<HttpResponseMessage> RawAsync(string url, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(_host.ClientId)}:{Uri.EscapeDataString(_host.ClientSecret)}")));
        using var client = _host.Host.Api.Factory.CreateClient();
        return await client.SendAsync(request);
    }
}
