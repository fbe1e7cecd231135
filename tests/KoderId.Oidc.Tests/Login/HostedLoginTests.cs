using System.Net;
using KoderId.Application.Flows;
using KoderId.Oidc.Tests.Conformance;
using KoderId.Server.Tests.Flows;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Tests.Login;

/// <summary>
/// The hosted login page on the flow engine, as a browser without script sees it: the password form, the
/// second-step page for a user with a second factor (a stand-in TOTP), <c>return</c> and <c>prompt=login</c>, and the account pages.
/// </summary>
public sealed class HostedLoginTests : IAsyncLifetime
{
    private readonly FakeTotpFactor _totp = new();
    private OidcHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await OidcHost.StartAsync(services: s => s.AddSingleton<IAuthenticationFactor>(_totp));
        _totp.EnrolledUsers.Add(_host.UserId);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static async Task<string> PostFormAsync(HttpClient browser, string path, string page, Dictionary<string, string> fields)
    {
        fields["__csrf"] = OidcHost.Hidden(page, "__csrf");
        using var posted = await browser.PostAsync(path, new FormUrlEncodedContent(fields));
        Assert.True(posted.StatusCode == HttpStatusCode.SeeOther, $"{(int)posted.StatusCode} {await posted.Content.ReadAsStringAsync()}");
        return posted.Headers.Location!.ToString();
    }

    private async Task<string> SignInWithReturnAsync(HttpClient browser, string returnPath, string code = FakeTotpFactor.Code)
    {
        using var account = await browser.GetAsync(returnPath);
        Assert.Equal(HttpStatusCode.SeeOther, account.StatusCode);
        var login = account.Headers.Location!.ToString();
        Assert.Equal("/ui/login?return=" + Uri.EscapeDataString(returnPath), login);

        var page = await browser.GetStringAsync(login);
        var step = await PostFormAsync(browser, "/ui/login", page, new() { ["return"] = returnPath, ["username"] = "alice", ["password"] = OidcHost.Password });
        Assert.StartsWith("/ui/login/step?", step, StringComparison.Ordinal);

        var stepPage = await browser.GetStringAsync(step);
        return await PostFormAsync(browser, "/ui/login/step", stepPage, new() { ["return"] = returnPath, ["step"] = "totp", ["code"] = code });
    }

    [Fact]
    public async Task a_user_with_a_second_factor_gets_the_step_page_after_the_password_and_lands_on_the_return_path()
    {
        using var browser = _host.Browser();

        var landed = await SignInWithReturnAsync(browser, "/ui/account/sessions");

        Assert.Equal("/ui/account/sessions", landed);
        var sessions = await browser.GetStringAsync(landed);
        Assert.Contains("Where you're signed in", sessions, StringComparison.Ordinal);
        Assert.Contains("(this browser)", sessions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_step_page_renders_a_form_per_remaining_step_and_only_same_origin_scripts()
    {
        using var browser = _host.Browser();
        using var account = await browser.GetAsync("/ui/account");
        var page = await browser.GetStringAsync(account.Headers.Location!.ToString());
        var step = await PostFormAsync(browser, "/ui/login", page, new() { ["return"] = "/ui/account", ["username"] = "alice", ["password"] = OidcHost.Password });

        using var response = await browser.GetAsync(step);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Contains("data-step=\"totp\"", html, StringComparison.Ordinal);
        Assert.Contains("autocomplete=\"one-time-code\"", html, StringComparison.Ordinal);
        Assert.Contains("<script src=\"/ui/assets/login.js\" defer></script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-step=\"password\"", html, StringComparison.Ordinal);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);

        // The flow id rides in an HttpOnly cookie, never in a URL.
        Assert.DoesNotContain("flow=", step, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_wrong_second_step_code_shows_the_step_page_again_and_starts_no_session()
    {
        using var browser = _host.Browser();

        var after = await SignInWithReturnAsync(browser, "/ui/account", code: "111111");

        Assert.StartsWith("/ui/login/step?", after, StringComparison.Ordinal);
        Assert.Contains("e=1", after, StringComparison.Ordinal);
        using var account = await browser.GetAsync("/ui/account");
        Assert.Equal(HttpStatusCode.SeeOther, account.StatusCode);
    }

    [Fact]
    public async Task login_js_is_served_from_the_assets_path_as_javascript()
    {
        using var browser = _host.Browser();
        using var script = await browser.GetAsync("/ui/assets/login.js");

        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("X-KoderId-Login", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var missing = await browser.GetAsync("/ui/assets/nothing.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var other = await browser.GetAsync("/ui/assets/login.exe");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Theory]
    [InlineData("//evil.example/x")]
    [InlineData("https://evil.example/")]
    [InlineData("/\\evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("ui/account")]
    public async Task a_return_that_is_not_a_local_path_is_refused(string value)
    {
        using var browser = _host.Browser();

        using var response = await browser.GetAsync("/ui/login?return=" + Uri.EscapeDataString(value));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task with_a_session_a_return_goes_straight_back_unless_prompt_login_asks_again()
    {
        _totp.EnrolledUsers.Clear();
        using var browser = _host.Browser();
        using (var account = await browser.GetAsync("/ui/account"))
        {
            var page = await browser.GetStringAsync(account.Headers.Location!.ToString());
            Assert.Equal("/ui/account", await PostFormAsync(browser, "/ui/login", page, new() { ["return"] = "/ui/account", ["username"] = "alice", ["password"] = OidcHost.Password }));
        }

        using var again = await browser.GetAsync("/ui/login?return=%2Fui%2Faccount%2Fpassword");
        Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
        Assert.Equal("/ui/account/password", again.Headers.Location!.ToString());

        using var prompt = await browser.GetAsync("/ui/login?return=%2Fui%2Faccount%2Fpassword&prompt=login");
        Assert.Equal(HttpStatusCode.OK, prompt.StatusCode);
        var form = await prompt.Content.ReadAsStringAsync();
        Assert.Contains("name=\"prompt\" value=\"login\"", form, StringComparison.Ordinal);
        Assert.Contains("id=\"passkey-signin\"", form, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_account_index_links_the_self_service_pages()
    {
        _totp.EnrolledUsers.Clear();
        using var browser = _host.Browser();
        using var account = await browser.GetAsync("/ui/account");
        var page = await browser.GetStringAsync(account.Headers.Location!.ToString());
        await PostFormAsync(browser, "/ui/login", page, new() { ["return"] = "/ui/account", ["username"] = "alice", ["password"] = OidcHost.Password });

        var index = await browser.GetStringAsync("/ui/account");

        foreach (var link in new[] { "/ui/account/mfa", "/ui/account/passkeys", "/ui/account/password", "/ui/account/sessions" })
        {
            Assert.Contains($"href=\"{link}\"", index, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task the_password_page_changes_the_password_after_the_current_one_is_proved()
    {
        _totp.EnrolledUsers.Clear();
        using var browser = _host.Browser();
        using var account = await browser.GetAsync("/ui/account/password");
        var login = await browser.GetStringAsync(account.Headers.Location!.ToString());
        await PostFormAsync(browser, "/ui/login", login, new() { ["return"] = "/ui/account/password", ["username"] = "alice", ["password"] = OidcHost.Password });

        var page = await browser.GetStringAsync("/ui/account/password");
        Assert.Contains("autocomplete=\"new-password\"", page, StringComparison.Ordinal);
        Assert.Equal("/ui/account/password?e=1", await PostFormAsync(browser, "/ui/account/password", page, new() { ["current"] = "wrong password here", ["new"] = "a brand new passphrase 9" }));
        Assert.StartsWith("/ui/account/password?e=2", await PostFormAsync(browser, "/ui/account/password", page, new() { ["current"] = OidcHost.Password, ["new"] = "short" }), StringComparison.Ordinal);
        Assert.Equal("/ui/account/password?done=1", await PostFormAsync(browser, "/ui/account/password", page, new() { ["current"] = OidcHost.Password, ["new"] = "a brand new passphrase 9" }));

        using var fresh = _host.Browser();
        using var authorize = await fresh.GetAsync(_host.AuthorizeUrl(OidcHost.Pkce().Challenge));
        var location = await OidcHost.PostLoginAsync(fresh, authorize.Headers.Location!.ToString(), "alice", "a brand new passphrase 9");
        Assert.StartsWith("/oauth/v2/authorize/continue", location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_sessions_page_revokes_another_session_of_the_user_and_not_someone_elses()
    {
        _totp.EnrolledUsers.Clear();
        using var first = _host.Browser();
        using var second = _host.Browser();
        foreach (var browser in new[] { first, second })
        {
            using var account = await browser.GetAsync("/ui/account/sessions");
            var login = await browser.GetStringAsync(account.Headers.Location!.ToString());
            await PostFormAsync(browser, "/ui/login", login, new() { ["return"] = "/ui/account/sessions", ["username"] = "alice", ["password"] = OidcHost.Password });
        }

        var page = await first.GetStringAsync("/ui/account/sessions");
        var sids = System.Text.RegularExpressions.Regex.Matches(page, "data-session=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(2, sids.Length);
        var mine = System.Text.RegularExpressions.Regex.Match(page, "data-session=\"([^\"]+)\">\\s*<strong>[^<]*</strong> \\(this browser\\)").Groups[1].Value;
        var other = sids.Single(s => s != mine);

        Assert.Equal("/ui/account/sessions", await PostFormAsync(first, "/ui/account/sessions/revoke", page, new() { ["sid"] = other }));

        using var secondAccount = await second.GetAsync("/ui/account");
        Assert.Equal(HttpStatusCode.SeeOther, secondAccount.StatusCode);
        using var firstAccount = await first.GetAsync("/ui/account");
        Assert.Equal(HttpStatusCode.OK, firstAccount.StatusCode);
    }
}
