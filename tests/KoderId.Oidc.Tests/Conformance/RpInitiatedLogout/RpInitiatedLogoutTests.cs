using System.Net;
using KoderId.Oidc.Common;

namespace KoderId.Oidc.Tests.Conformance.RpInitiatedLogout;

/// <summary>
/// The OpenID Foundation RP-Initiated Logout OP plan (oidcc-rp-initiated-logout-*): an exact, registered
/// post_logout_redirect_uri is redirected to with the state; anything else is not redirected to; after logout the
/// browser's SSO session no longer signs anyone in.
/// </summary>
public sealed class RpInitiatedLogoutTests(SharedOidcHost shared) : IClassFixture<SharedOidcHost>
{
    private const string PostLogout = "https://rp.example/bye";
    private readonly OidcHost _host = shared.Host;

    [Fact]
    public async Task logout_with_an_id_token_hint_and_a_registered_post_logout_redirect_uri_redirects_there_with_the_state()
    {
        using var browser = _host.Browser();
        var idToken = await SignInAsync(browser);

        using var response = await browser.GetAsync(EndSession(idToken, PostLogout, "bye-1"));

        Assert.True(response.StatusCode is HttpStatusCode.Found or HttpStatusCode.SeeOther, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith(PostLogout + "?", location, StringComparison.Ordinal);
        Assert.Equal("bye-1", OidcHost.Query(response.Headers.Location!)["state"]);
    }

    [Theory]
    [InlineData("https://attacker.example/bye")]
    [InlineData("https://rp.example/bye/")]
    [InlineData("https://rp.example/cb")] // a redirect_uri is not a post-logout URI
    public async Task an_unregistered_post_logout_redirect_uri_is_never_redirected_to(string postLogout)
    {
        using var browser = _host.Browser();
        var idToken = await SignInAsync(browser);

        using var response = await browser.GetAsync(EndSession(idToken, postLogout, "bye-2"));

        var location = response.Headers.Location?.ToString() ?? "";
        Assert.False(location.StartsWith(postLogout, StringComparison.Ordinal), $"redirected to {location}");
        Assert.True((int)response.StatusCode < 500);
    }

    [Fact]
    public async Task after_logout_the_sso_cookie_no_longer_signs_in_and_prompt_none_is_login_required()
    {
        using var browser = _host.Browser();
        var idToken = await SignInAsync(browser);

        using (var logout = await browser.GetAsync(EndSession(idToken, PostLogout, "bye-3")))
        {
            Assert.True(logout.StatusCode is HttpStatusCode.Found or HttpStatusCode.SeeOther);
        }

        using var response = await browser.GetAsync(_host.AuthorizeUrl(OidcHost.Pkce().Challenge, extra: "&prompt=none"));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("login_required", OidcHost.Query(response.Headers.Location!)["error"]);
    }

    [Fact]
    public async Task after_logout_the_refresh_tokens_of_the_session_fail()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        var tokens = await _host.RedeemAsync((await _host.SignInAsync(browser, challenge))["code"], verifier);

        using (var logout = await browser.GetAsync(EndSession(tokens.GetProperty("id_token").GetString()!, PostLogout, "bye-4")))
        {
            Assert.True(logout.StatusCode is HttpStatusCode.Found or HttpStatusCode.SeeOther);
        }

        using var refresh = await _host.TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.GetProperty("refresh_token").GetString()! });
        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
    }

    private async Task<string> SignInAsync(HttpClient browser)
    {
        var (verifier, challenge) = OidcHost.Pkce();
        var tokens = await _host.RedeemAsync((await _host.SignInAsync(browser, challenge))["code"], verifier);
        return tokens.GetProperty("id_token").GetString()!;
    }

    private static string EndSession(string idToken, string postLogout, string state) =>
        $"{OidcPaths.EndSession}?id_token_hint={idToken}&post_logout_redirect_uri={Uri.EscapeDataString(postLogout)}&state={state}";
}
