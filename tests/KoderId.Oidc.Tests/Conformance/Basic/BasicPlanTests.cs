using System.Net;
using System.Text.Json;
using KoderId.Oidc.Tests.Clients;

namespace KoderId.Oidc.Tests.Conformance.Basic;

/// <summary>
/// The OpenID Foundation Basic OP plan's checks that apply to the code flow (oidcc-*), beyond the happy path of
/// <see cref="CodeFlowTests"/>: ID token claims, error pages that never redirect, prompt, max_age, request objects.
/// </summary>
public sealed class BasicPlanTests(SharedOidcHost shared) : IClassFixture<SharedOidcHost>
{
    private readonly MovableTime _time = shared.Time;
    private readonly OidcHost _host = shared.Host;

    [Fact]
    public async Task oidcc_server_the_id_token_echoes_the_nonce_and_carries_iat_exp_auth_time_and_a_correct_at_hash()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        var redirect = await _host.SignInAsync(browser, challenge);

        var tokens = await _host.RedeemAsync(redirect["code"], verifier);

        var id = OidcHost.Payload(tokens.GetProperty("id_token").GetString()!);
        Assert.Equal("n-1", id.GetProperty("nonce").GetString());
        var iat = id.GetProperty("iat").GetInt64();
        var exp = id.GetProperty("exp").GetInt64();
        Assert.InRange(iat, _time.GetUtcNow().ToUnixTimeSeconds() - 5, _time.GetUtcNow().ToUnixTimeSeconds() + 5);
        Assert.True(exp > iat);
        Assert.True(id.GetProperty("auth_time").GetInt64() <= iat);
        Assert.Equal(KoderId.Oidc.Token.TokenIssuer.AtHash(tokens.GetProperty("access_token").GetString()!), id.GetProperty("at_hash").GetString());
        Assert.Equal(_host.UserId, id.GetProperty("sub").GetString());
    }

    [Fact]
    public async Task oidcc_ensure_request_without_nonce_succeeds_for_code_flow_and_the_id_token_has_no_nonce()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        using var authorize = await browser.GetAsync(_host.AuthorizeUrl(challenge, nonce: null));
        var location = await OidcHost.PostLoginAsync(browser, authorize.Headers.Location!.ToString(), "alice", OidcHost.Password);
        using var resumed = await browser.GetAsync(location);
        var redirect = OidcHost.Query(resumed.Headers.Location!);

        var tokens = await _host.RedeemAsync(redirect["code"], verifier);

        Assert.False(OidcHost.Payload(tokens.GetProperty("id_token").GetString()!).TryGetProperty("nonce", out _));
    }

    [Fact]
    public async Task oidcc_unknown_client_is_an_error_page_never_a_redirect()
    {
        using var browser = _host.Browser();
        var url = _host.AuthorizeUrl(OidcHost.Pkce().Challenge).Replace($"client_id={_host.ClientId}", "client_id=not-a-client", StringComparison.Ordinal);

        using var response = await browser.GetAsync(url);

        await AssertErrorPageAsync(response);
    }

    [Theory]
    [InlineData("https://attacker.example/cb")]
    [InlineData("https://rp.example/other")]
    [InlineData("")]
    public async Task oidcc_ensure_registered_redirect_uri_a_mismatching_redirect_uri_is_an_error_page(string redirectUri)
    {
        using var browser = _host.Browser();
        var url = _host.AuthorizeUrl(OidcHost.Pkce().Challenge)
            .Replace(Uri.EscapeDataString(OidcHost.RedirectUri), Uri.EscapeDataString(redirectUri), StringComparison.Ordinal);

        using var response = await browser.GetAsync(url);

        await AssertErrorPageAsync(response);
    }

    [Fact]
    public async Task oidcc_prompt_login_forces_a_new_sign_in_and_a_later_auth_time()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        var first = await _host.RedeemAsync((await _host.SignInAsync(browser, challenge))["code"], verifier);
        _time.Advance(TimeSpan.FromSeconds(30));

        var (verifier2, challenge2) = OidcHost.Pkce();
        var redirect = await _host.SignInAsync(browser, challenge2, extra: "&prompt=login");

        var second = await _host.RedeemAsync(redirect["code"], verifier2);
        Assert.True(AuthTime(second) >= AuthTime(first) + 30);
    }

    [Fact]
    public async Task oidcc_max_age_1_a_session_older_than_max_age_signs_in_again()
    {
        using var browser = _host.Browser();
        var (_, challenge) = OidcHost.Pkce();
        await _host.SignInAsync(browser, challenge);
        _time.Advance(TimeSpan.FromSeconds(2));

        using var response = await browser.GetAsync(_host.AuthorizeUrl(OidcHost.Pkce().Challenge, extra: "&max_age=1"));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.StartsWith("/ui/login?ar=", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task oidcc_max_age_10000_a_younger_session_answers_at_once_with_the_original_auth_time()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        var first = await _host.RedeemAsync((await _host.SignInAsync(browser, challenge))["code"], verifier);
        _time.Advance(TimeSpan.FromSeconds(60));

        var (verifier2, challenge2) = OidcHost.Pkce();
        using var response = await browser.GetAsync(_host.AuthorizeUrl(challenge2, extra: "&max_age=10000"));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var redirect = OidcHost.Query(response.Headers.Location!);
        var second = await _host.RedeemAsync(redirect["code"], verifier2);
        Assert.Equal(AuthTime(first), AuthTime(second));
    }

    [Fact]
    public async Task oidcc_max_age_0_always_signs_in_again()
    {
        using var browser = _host.Browser();
        await _host.SignInAsync(browser, OidcHost.Pkce().Challenge);
        _time.Advance(TimeSpan.FromSeconds(5)); // past the one-second allowance for a sign-in made for the request itself

        using var response = await browser.GetAsync(_host.AuthorizeUrl(OidcHost.Pkce().Challenge, extra: "&max_age=0"));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.StartsWith("/ui/login?ar=", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task oidcc_prompt_none_logged_in_returns_a_code_without_any_page()
    {
        using var browser = _host.Browser();
        await _host.SignInAsync(browser, OidcHost.Pkce().Challenge);

        using var response = await browser.GetAsync(_host.AuthorizeUrl(OidcHost.Pkce().Challenge, state: "quiet", extra: "&prompt=none"));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.StartsWith(OidcHost.RedirectUri + "?", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        var query = OidcHost.Query(response.Headers.Location!);
        Assert.True(query.ContainsKey("code"));
        Assert.Equal("quiet", query["state"]);
        Assert.Equal(OidcHost.Issuer, query["iss"]);
    }

    [Fact]
    public async Task oidcc_scope_without_openid_is_plain_oauth_and_issues_no_id_token()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        using var authorize = await browser.GetAsync(_host.AuthorizeUrl(challenge, scope: "profile email"));
        var location = await OidcHost.PostLoginAsync(browser, authorize.Headers.Location!.ToString(), "alice", OidcHost.Password);
        using var resumed = await browser.GetAsync(location);
        var redirect = OidcHost.Query(resumed.Headers.Location!);

        var tokens = await _host.RedeemAsync(redirect["code"], verifier);

        Assert.True(tokens.TryGetProperty("access_token", out _));
        Assert.False(tokens.TryGetProperty("id_token", out _));
    }

    [Theory]
    [InlineData("request", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.", "request_not_supported")]
    [InlineData("request_uri", "https://rp.example/request.jwt", "request_uri_not_supported")]
    [InlineData("response_type", "token", "unsupported_response_type")]
    [InlineData("prompt", "none login", "invalid_request")]
    public async Task oidcc_refused_parameters_are_redirected_as_errors_with_state_and_iss(string parameter, string value, string error)
    {
        using var browser = _host.Browser();
        var url = _host.AuthorizeUrl(OidcHost.Pkce().Challenge, state: "st-err");
        url = parameter == "response_type"
            ? url.Replace("response_type=code", "response_type=" + value, StringComparison.Ordinal)
            : url + $"&{parameter}={Uri.EscapeDataString(value)}";

        using var response = await browser.GetAsync(url);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.StartsWith(OidcHost.RedirectUri + "?", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        var query = OidcHost.Query(response.Headers.Location!);
        Assert.Equal(error, query["error"]);
        Assert.Equal("st-err", query["state"]);
        Assert.Equal(OidcHost.Issuer, query["iss"]);
        Assert.False(query.ContainsKey("code"));
    }

    [Fact]
    public async Task under_https_the_sso_cookie_is_host_prefixed_secure_httponly_and_samesite_lax()
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

        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        var cookie = Assert.Single(posted.Headers.GetValues("Set-Cookie"), c => c.Contains("koderid_session=", StringComparison.Ordinal));
        Assert.StartsWith("__Host-koderid_session=", cookie, StringComparison.Ordinal);
        var attributes = cookie.Split(';').Skip(1).Select(a => a.Trim().ToLowerInvariant()).ToArray();
        Assert.Contains("path=/", attributes);
        Assert.Contains("secure", attributes);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=lax", attributes);
        Assert.DoesNotContain(attributes, a => a.StartsWith("domain=", StringComparison.Ordinal));
    }

    internal static async Task AssertErrorPageAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Sign-in error", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static long AuthTime(JsonElement tokens) =>
        OidcHost.Payload(tokens.GetProperty("id_token").GetString()!).GetProperty("auth_time").GetInt64();
}
