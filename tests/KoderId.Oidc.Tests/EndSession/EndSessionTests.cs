using System.Net;
using KoderId.Oidc.Common;
using KoderId.Oidc.Tests.Conformance;

namespace KoderId.Oidc.Tests.EndSession;

/// <summary>RP-Initiated Logout 1.0 through the real host and a cookie-keeping browser.</summary>
public sealed class EndSessionTests : IAsyncLifetime
{
    private const string Bye = "https://rp.example/bye";
    private OidcHost _host = null!;

    public async Task InitializeAsync() => _host = await OidcHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task a_hint_for_the_browsers_session_signs_out_and_redirects_with_state()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        using var _ = browser;
        var hint = tokens.GetProperty("id_token").GetString()!;
        var access = tokens.GetProperty("access_token").GetString()!;

        using var response = await browser.GetAsync($"/oidc/v1/end_session?id_token_hint={hint}&post_logout_redirect_uri={Uri.EscapeDataString(Bye)}&state=s%201&ui_locales=fr");

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(Bye + "?state=s%201", response.Headers.Location!.OriginalString);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("koderid_session=;", StringComparison.Ordinal) || c.StartsWith("__Host-koderid_session=;", StringComparison.Ordinal));
        Assert.False(await _host.IsActiveAsync(access));
        Assert.False(await _host.IsActiveAsync(tokens.GetProperty("refresh_token").GetString()!));
        await AssertSignedOutAsync(browser);
    }

    [Fact]
    public async Task without_a_hint_the_user_confirms_and_the_post_signs_out()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        using var _ = browser;

        using var page = await browser.GetAsync($"/oidc/v1/end_session?client_id={_host.ClientId}&post_logout_redirect_uri={Uri.EscapeDataString(Bye)}&state=xyz");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Sign out?", html, StringComparison.Ordinal);
        Assert.True(await _host.IsActiveAsync(tokens.GetProperty("access_token").GetString()!));
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        using var posted = await browser.PostAsync("/oidc/v1/end_session", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__csrf"] = OidcHost.Hidden(html, "__csrf"),
            ["confirm"] = "1",
            ["client_id"] = OidcHost.Hidden(html, "client_id"),
            ["post_logout_redirect_uri"] = OidcHost.Hidden(html, "post_logout_redirect_uri"),
            ["state"] = OidcHost.Hidden(html, "state"),
        }));

        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        Assert.Equal(Bye + "?state=xyz", posted.Headers.Location!.ToString());
        Assert.False(await _host.IsActiveAsync(tokens.GetProperty("access_token").GetString()!));
        await AssertSignedOutAsync(browser);
    }

    [Fact]
    public async Task a_confirmation_without_its_antiforgery_token_signs_nobody_out()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        using var _ = browser;

        using var posted = await browser.PostAsync("/oidc/v1/end_session", new FormUrlEncodedContent(new Dictionary<string, string> { ["confirm"] = "1" }));

        await AssertErrorPageAsync(posted, EndpointErrors.EndSessionFormExpired);
        Assert.True(await _host.IsActiveAsync(tokens.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task a_hint_for_another_session_asks_before_signing_out()
    {
        var (first, firstTokens) = await _host.SignInForTokensAsync();
        first.Dispose();
        var (browser, tokens) = await _host.SignInForTokensAsync();
        using var _ = browser;

        using var page = await browser.GetAsync($"/oidc/v1/end_session?id_token_hint={firstTokens.GetProperty("id_token").GetString()}");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Sign out?", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(await _host.IsActiveAsync(tokens.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task a_browser_without_a_session_is_told_it_is_signed_out()
    {
        using var browser = _host.Browser();

        using var response = await browser.GetAsync("/oidc/v1/end_session");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("You are signed out", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://rp.example/bye/")]
    [InlineData("https://rp.example/cb")]
    [InlineData("https://evil.example/bye")]
    [InlineData("https://rp.example/bye?x=1")]
    public async Task a_post_logout_redirect_uri_the_client_did_not_register_is_an_error_page(string uri)
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        using var _ = browser;

        using var response = await browser.GetAsync($"/oidc/v1/end_session?id_token_hint={tokens.GetProperty("id_token").GetString()}&post_logout_redirect_uri={Uri.EscapeDataString(uri)}&state=s");

        await AssertErrorPageAsync(response, EndpointErrors.EndSessionRedirectMismatch);
        Assert.True(await _host.IsActiveAsync(tokens.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task bad_requests_are_error_pages_never_redirects()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        using var _ = browser;
        var hint = tokens.GetProperty("id_token").GetString()!;
        var access = tokens.GetProperty("access_token").GetString()!;
        var bye = Uri.EscapeDataString(Bye);
        var globexHint = await _host.GlobexTokenAsync();

        var cases = new (string Query, string Code)[]
        {
            ($"post_logout_redirect_uri={bye}", EndpointErrors.EndSessionUnknownClient),
            ($"client_id=nope&post_logout_redirect_uri={bye}", EndpointErrors.EndSessionUnknownClient),
            ("id_token_hint=garbage", EndpointErrors.EndSessionInvalidHint),
            ($"id_token_hint={OidcHost.AlgNone(hint)}&post_logout_redirect_uri={bye}", EndpointErrors.EndSessionInvalidHint),
            ($"id_token_hint={await _host.Hs256WithPublicKeyAsync(hint)}", EndpointErrors.EndSessionInvalidHint),
            ($"id_token_hint={access}", EndpointErrors.EndSessionInvalidHint),
            ($"id_token_hint={globexHint}", EndpointErrors.EndSessionInvalidHint),
            ($"id_token_hint={hint}&client_id=someone-else&post_logout_redirect_uri={bye}", EndpointErrors.EndSessionClientMismatch),
            ($"state=a&state=b", EndpointErrors.EndSessionInvalidRequest),
            ($"post_logout_redirect_uri={bye}&post_logout_redirect_uri={bye}&client_id={_host.ClientId}", EndpointErrors.EndSessionInvalidRequest),
        };

        foreach (var (query, code) in cases)
        {
            using var response = await browser.GetAsync("/oidc/v1/end_session?" + query);
            await AssertErrorPageAsync(response, code);
        }

        using (var json = await browser.PostAsync("/oidc/v1/end_session", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
        {
            await AssertErrorPageAsync(json, EndpointErrors.EndSessionInvalidRequest);
        }

        Assert.True(await _host.IsActiveAsync(access));
    }

    [Fact]
    public async Task an_rp_may_post_the_request_with_a_hint()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        using var _ = browser;

        using var posted = await browser.PostAsync("/oidc/v1/end_session", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["id_token_hint"] = tokens.GetProperty("id_token").GetString()!,
            ["post_logout_redirect_uri"] = Bye,
        }));

        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        Assert.Equal(Bye, posted.Headers.Location!.ToString());
        Assert.False(await _host.IsActiveAsync(tokens.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task discovery_names_the_end_session_endpoint()
    {
        using var browser = _host.Browser();

        var discovery = System.Text.Json.JsonDocument.Parse(await browser.GetStringAsync("/.well-known/openid-configuration")).RootElement;

        Assert.Equal(OidcHost.Issuer + "/oidc/v1/end_session", discovery.GetProperty("end_session_endpoint").GetString());
        Assert.Equal(OidcHost.Issuer + "/oauth/v2/introspect", discovery.GetProperty("introspection_endpoint").GetString());
        Assert.Equal(OidcHost.Issuer + "/oauth/v2/revoke", discovery.GetProperty("revocation_endpoint").GetString());
        Assert.Equal(OidcHost.Issuer + "/oidc/v1/userinfo", discovery.GetProperty("userinfo_endpoint").GetString());
    }

    private async Task AssertSignedOutAsync(HttpClient browser)
    {
        var (_, challenge) = OidcHost.Pkce();
        using var again = await browser.GetAsync(_host.AuthorizeUrl(challenge));
        Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
        Assert.StartsWith("/ui/login?", again.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    private static async Task AssertErrorPageAsync(HttpResponseMessage response, string code)
    {
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400 {code}, got {(int)response.StatusCode}: {html}");
        Assert.Null(response.Headers.Location);
        Assert.Contains($"({code})", html, StringComparison.Ordinal);
    }
}
