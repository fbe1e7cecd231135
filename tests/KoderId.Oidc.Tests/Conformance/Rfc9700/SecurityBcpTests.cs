using System.Net;
using KoderId.Oidc.Tests.Clients;

namespace KoderId.Oidc.Tests.Conformance.Rfc9700;

/// <summary>
/// RFC 9700 (OAuth 2.0 Security Best Current Practice) end to end: exact redirect-URI matching (§4.1, with the
/// RFC 8252 loopback port exception), PKCE downgrade (§2.1.1, §4.8), code and refresh-token replay (§4.5, §4.14).
/// </summary>
public sealed class SecurityBcpTests(SecurityBcpTests.Fixture fixture) : IClassFixture<SecurityBcpTests.Fixture>
{
    private const string Loopback = "http://127.0.0.1:49152/callback";
    private readonly OidcHost _host = fixture.Host;
    private readonly string _public = fixture.PublicClient;

    public sealed class Fixture : IAsyncLifetime
    {
        internal OidcHost Host { get; private set; } = null!;

        public string PublicClient { get; private set; } = "";

        public async Task InitializeAsync()
        {
            Host = await OidcHost.StartAsync();
            (PublicClient, _) = await Host.Host.CreateClientAsync("acme", new
            {
                name = "Native app",
                type = "public",
                redirectUris = new[] { OidcHost.RedirectUri, Loopback },
                grantTypes = new[] { "authorization_code", "refresh_token" },
                scopes = new[] { "openid", "profile", "offline_access" },
                tokenEndpointAuthMethod = "none",
                firstParty = true,
            });
        }

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    [Theory]
    [InlineData("https://rp.example/cb/")] // trailing slash
    [InlineData("https://rp.example/cb?extra=1")] // extra query
    [InlineData("https://rp.example:8443/cb")] // another port of a non-loopback host
    [InlineData("https://rp.example:443/cb")] // the default port spelled out is still another string
    [InlineData("https://RP.example/cb")] // case
    [InlineData("http://rp.example/cb")] // scheme downgrade
    [InlineData("https://rp.example/cb#fragment")]
    [InlineData("https://rp.example/cb/../cb")]
    [InlineData("https://rp.example.attacker.example/cb")]
    [InlineData("https://rp.example@attacker.example/cb")]
    [InlineData("https://rp.example/CB")]
    [InlineData("https://rp.example/c%62")]
    public async Task a_redirect_uri_that_is_not_exactly_a_registered_one_is_an_error_page(string redirectUri)
    {
        using var response = await AuthorizeAsync(_host.ClientId, redirectUri);

        await Basic.BasicPlanTests.AssertErrorPageAsync(response);
    }

    [Theory]
    [InlineData("http://127.0.0.1:49152/callback")]
    [InlineData("http://127.0.0.1:61000/callback")]
    [InlineData("http://127.0.0.1/callback")]
    public async Task a_registered_loopback_redirect_accepts_any_port(string redirectUri)
    {
        using var response = await AuthorizeAsync(_public, redirectUri, "&prompt=none");

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.StartsWith(redirectUri + "?", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal("login_required", OidcHost.Query(response.Headers.Location!)["error"]);
    }

    [Theory]
    [InlineData("http://127.0.0.1:61000/callback/")]
    [InlineData("http://127.0.0.1:61000/other")]
    [InlineData("http://localhost:49152/callback")] // RFC 8252 §8.3: localhost gets no port exception
    [InlineData("https://127.0.0.1:49152/callback")]
    [InlineData("http://127.0.0.1:61000/callback?x=1")]
    public async Task a_loopback_redirect_varies_only_in_its_port(string redirectUri)
    {
        using var response = await AuthorizeAsync(_public, redirectUri);

        await Basic.BasicPlanTests.AssertErrorPageAsync(response);
    }

    [Fact]
    public async Task pkce_downgrade_a_code_issued_for_a_challenge_is_refused_without_the_verifier()
    {
        using var browser = _host.Browser();
        var (_, challenge) = OidcHost.Pkce();
        var redirect = await _host.SignInAsync(browser, challenge);

        using var response = await _host.TokenAsync(new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = redirect["code"],
            ["redirect_uri"] = OidcHost.RedirectUri,
        });

        var error = await ClientHost.JsonAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_grant", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task pkce_a_wrong_verifier_is_invalid_grant()
    {
        using var browser = _host.Browser();
        var (_, challenge) = OidcHost.Pkce();
        var redirect = await _host.SignInAsync(browser, challenge);

        using var response = await _host.TokenAsync(new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = redirect["code"],
            ["redirect_uri"] = OidcHost.RedirectUri,
            ["code_verifier"] = OidcHost.Pkce().Verifier,
        });

        var error = await ClientHost.JsonAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_grant", error.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task pkce_an_authorization_request_without_a_challenge_is_refused(bool publicClient)
    {
        var client = publicClient ? _public : _host.ClientId;
        var url = $"/oauth/v2/authorize?client_id={client}&redirect_uri={Uri.EscapeDataString(OidcHost.RedirectUri)}&response_type=code&scope=openid&state=s";
        using var browser = _host.Browser();

        using var response = await browser.GetAsync(url);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var query = OidcHost.Query(response.Headers.Location!);
        Assert.Equal("invalid_request", query["error"]);
        Assert.Equal(OidcHost.Issuer, query["iss"]);
    }

    [Fact]
    public async Task pkce_the_plain_method_is_refused()
    {
        using var browser = _host.Browser();
        var url = _host.AuthorizeUrl(OidcHost.Pkce().Challenge).Replace("code_challenge_method=S256", "code_challenge_method=plain", StringComparison.Ordinal);

        using var response = await browser.GetAsync(url);

        Assert.Equal("invalid_request", OidcHost.Query(response.Headers.Location!)["error"]);
    }

    [Fact]
    public async Task two_concurrent_redemptions_of_one_code_give_exactly_one_set_of_tokens()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        var code = (await _host.SignInAsync(browser, challenge))["code"];

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _host.TokenAsync(new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = OidcHost.RedirectUri,
            ["code_verifier"] = verifier,
        })));

        try
        {
            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
            Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task twenty_parallel_refreshes_of_one_token_give_exactly_one_success()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        var tokens = await _host.RedeemAsync((await _host.SignInAsync(browser, challenge))["code"], verifier);
        var refresh = tokens.GetProperty("refresh_token").GetString()!;

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            _host.TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh })));

        try
        {
            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
            foreach (var failed in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
            {
                var error = await ClientHost.JsonAsync(failed, HttpStatusCode.BadRequest);
                Assert.Equal("invalid_grant", error.GetProperty("error").GetString());
            }
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task a_public_clients_rotated_out_refresh_token_revokes_the_family()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        using var authorize = await browser.GetAsync(
            $"/oauth/v2/authorize?client_id={_public}&redirect_uri={Uri.EscapeDataString(OidcHost.RedirectUri)}&response_type=code&scope=openid%20offline_access&state=s&code_challenge={challenge}&code_challenge_method=S256");
        var location = await OidcHost.PostLoginAsync(browser, authorize.Headers.Location!.ToString(), "alice", OidcHost.Password);
        using var resumed = await browser.GetAsync(location);
        var code = OidcHost.Query(resumed.Headers.Location!)["code"];
        var first = await PublicTokenAsync(new() { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = OidcHost.RedirectUri, ["code_verifier"] = verifier });
        var old = first.GetProperty("refresh_token").GetString()!;
        var next = (await PublicTokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = old })).GetProperty("refresh_token").GetString()!;

        await PublicTokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = old }, HttpStatusCode.BadRequest);

        await PublicTokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = next }, HttpStatusCode.BadRequest);
    }

    private async Task<System.Text.Json.JsonElement> PublicTokenAsync(Dictionary<string, string> form, HttpStatusCode expected = HttpStatusCode.OK)
    {
        form["client_id"] = _public;
        using var response = await _host.TokenAsync(form, basic: false);
        return await ClientHost.JsonAsync(response, expected);
    }

    private async Task<HttpResponseMessage> AuthorizeAsync(string clientId, string redirectUri, string extra = "")
    {
        using var browser = _host.Browser();
        return await browser.GetAsync(
            $"/oauth/v2/authorize?client_id={clientId}&redirect_uri={Uri.EscapeDataString(redirectUri)}&response_type=code&scope=openid&state=s"
            + $"&code_challenge={OidcHost.Pkce().Challenge}&code_challenge_method=S256{extra}");
    }
}
