using System.Net;
using System.Net.Http.Headers;
using System.Text;
using KoderId.Oidc.Login;
using KoderId.Oidc.Tests.Clients;
using Microsoft.AspNetCore.Mvc.Testing;

namespace KoderId.Oidc.Tests.Conformance.TenantIsolation;

/// <summary>
/// Each tenant host is its own issuer (ADR 0004): acme's codes, refresh tokens, SSO sessions and clients mean
/// nothing at globex's host, whichever client presents them, and the failed attempt leaves acme's grant intact.
/// </summary>
public sealed class TenantIsolationTests(TenantIsolationTests.Fixture fixture) : IClassFixture<TenantIsolationTests.Fixture>
{
    private const string Globex = "https://globex.koderid.test";
    private readonly OidcHost _host = fixture.Host;
    private readonly string _globexClient = fixture.GlobexClient;
    private readonly string _globexSecret = fixture.GlobexSecret;

    /// <summary>acme's host with alice and its RP, plus a globex client with the same redirect URI.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal OidcHost Host { get; private set; } = null!;

        public string GlobexClient { get; private set; } = "";

        public string GlobexSecret { get; private set; } = "";

        public async Task InitializeAsync()
        {
            Host = await OidcHost.StartAsync();
            (GlobexClient, var secret) = await Host.Host.CreateClientAsync("globex", new
            {
                name = "Globex RP",
                redirectUris = new[] { OidcHost.RedirectUri },
                grantTypes = new[] { "authorization_code", "refresh_token" },
                scopes = new[] { "openid", "profile", "email", "offline_access" },
                firstParty = true,
            });
            GlobexSecret = secret!;
        }

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    [Fact]
    public async Task an_acme_code_redeemed_at_globex_fails_with_either_tenants_client_and_still_works_at_acme()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        var code = (await _host.SignInAsync(browser, challenge))["code"];
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = OidcHost.RedirectUri,
            ["code_verifier"] = verifier,
        };

        using (var withAcmeClient = await GlobexTokenAsync(form, _host.ClientId, _host.ClientSecret))
        {
            Assert.Equal("invalid_client", (await ClientHost.JsonAsync(withAcmeClient, HttpStatusCode.Unauthorized)).GetProperty("error").GetString());
        }

        using (var withGlobexClient = await GlobexTokenAsync(form, _globexClient, _globexSecret))
        {
            Assert.Equal("invalid_grant", (await ClientHost.JsonAsync(withGlobexClient, HttpStatusCode.BadRequest)).GetProperty("error").GetString());
        }

        var tokens = await _host.RedeemAsync(code, verifier);
        Assert.Equal(OidcHost.Issuer, OidcHost.Payload(tokens.GetProperty("access_token").GetString()!).GetProperty("iss").GetString());
    }

    [Fact]
    public async Task an_acme_refresh_token_at_globex_fails_and_the_family_stays_usable_at_acme()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        var tokens = await _host.RedeemAsync((await _host.SignInAsync(browser, challenge))["code"], verifier);
        var refresh = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.GetProperty("refresh_token").GetString()! };

        using (var withAcmeClient = await GlobexTokenAsync(refresh, _host.ClientId, _host.ClientSecret))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, withAcmeClient.StatusCode);
        }

        using (var withGlobexClient = await GlobexTokenAsync(refresh, _globexClient, _globexSecret))
        {
            Assert.Equal("invalid_grant", (await ClientHost.JsonAsync(withGlobexClient, HttpStatusCode.BadRequest)).GetProperty("error").GetString());
        }

        using var atAcme = await _host.TokenAsync(refresh);
        Assert.Equal(HttpStatusCode.OK, atAcme.StatusCode);
    }

    [Fact]
    public async Task an_acme_client_id_at_globexs_authorize_endpoint_is_an_error_page()
    {
        using var browser = GlobexBrowser();

        using var response = await browser.GetAsync(_host.AuthorizeUrl(OidcHost.Pkce().Challenge));

        await Basic.BasicPlanTests.AssertErrorPageAsync(response);
    }

    [Fact]
    public async Task acmes_sso_cookie_is_neither_sent_to_nor_accepted_by_globex()
    {
        using var browser = _host.Browser();
        using var authorize = await browser.GetAsync(_host.AuthorizeUrl(OidcHost.Pkce().Challenge));
        var page = await browser.GetStringAsync(authorize.Headers.Location!.ToString());
        using var posted = await browser.PostAsync("/ui/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__csrf"] = OidcHost.Hidden(page, "__csrf"),
            ["ar"] = OidcHost.Hidden(page, "ar"),
            ["username"] = "alice",
            ["password"] = OidcHost.Password,
        }));
        var setCookie = Assert.Single(posted.Headers.GetValues("Set-Cookie"), c => c.StartsWith(SsoCookie.SecureName + "=", StringComparison.Ordinal));
        Assert.DoesNotContain("domain=", setCookie, StringComparison.OrdinalIgnoreCase); // host-only: a browser sends it to acme's host alone
        var value = setCookie.Split(';')[0][(SsoCookie.SecureName.Length + 1)..];

        // Even presented to globex's host by hand, acme's session does not sign anyone in there.
        using var globex = GlobexBrowser();
        var url = $"/oauth/v2/authorize?client_id={_globexClient}&redirect_uri={Uri.EscapeDataString(OidcHost.RedirectUri)}&response_type=code&scope=openid"
            + $"&state=g&code_challenge={OidcHost.Pkce().Challenge}&code_challenge_method=S256&prompt=none";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Cookie", $"{SsoCookie.SecureName}={value}");
        using var response = await globex.SendAsync(request);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var query = OidcHost.Query(response.Headers.Location!);
        Assert.Equal("login_required", query["error"]);
        Assert.Equal(Globex, query["iss"]);
    }

    private HttpClient GlobexBrowser() =>
        _host.Host.Api.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri(Globex + "/") });

    private async Task<HttpResponseMessage> GlobexTokenAsync(Dictionary<string, string> form, string clientId, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Globex + "/oauth/v2/token") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
        using var client = GlobexBrowser();
        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
