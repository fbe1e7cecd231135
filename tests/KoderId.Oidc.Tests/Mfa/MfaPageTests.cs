using System.Net;
using System.Text.RegularExpressions;
using KoderId.Oidc.Tests.Conformance;

namespace KoderId.Oidc.Tests.Mfa;

/// <summary><c>/ui/account/mfa</c> in a browser that keeps cookies: the SSO cookie authenticates, every POST carries the antiforgery token and answers 303.</summary>
public sealed partial class MfaPageTests(MfaHost fixture) : IClassFixture<MfaHost>
{
    private const string Page = "/ui/account/mfa";

    [Fact]
    public async Task without_a_session_the_page_sends_the_browser_to_sign_in_and_back()
    {
        using var browser = fixture.Host.Browser();

        using var get = await browser.GetAsync(Page);
        Assert.Equal(HttpStatusCode.SeeOther, get.StatusCode);
        Assert.Equal("/ui/login?return=%2Fui%2Faccount%2Fmfa", get.Headers.Location!.OriginalString);

        using var post = await browser.PostAsync(Page, new FormUrlEncodedContent(new Dictionary<string, string> { ["action"] = "start" }));
        Assert.Equal(HttpStatusCode.SeeOther, post.StatusCode);
        Assert.StartsWith("/ui/login?return=", post.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_user_sets_up_an_app_from_the_qr_code_confirms_it_and_sees_new_recovery_codes_once()
    {
        var user = await fixture.NewUserAsync();
        var page = await PageAsync(user);
        Assert.Contains("Set up authenticator app", page, StringComparison.Ordinal);

        await PostAsync(user, page, "start", expected: Page);
        page = await PageAsync(user);
        Assert.Matches("<img src=\"data:image/png;base64,[A-Za-z0-9+/=]+\" width=\"[0-9]+\" height=\"[0-9]+\"", page);
        var secret = SecretOf(page);

        await PostAsync(user, page, "confirm", new() { ["code"] = "000000" == fixture.Code(secret) ? "000001" : "000000" }, expected: Page + "?e=code");
        page = await PageAsync(user, Page + "?e=code");
        Assert.Contains("That code did not work", page, StringComparison.Ordinal);

        await PostAsync(user, page, "confirm", new() { ["code"] = fixture.Code(secret) }, expected: Page + "?m=enrolled");
        page = await PageAsync(user, Page + "?m=enrolled");
        Assert.Contains("Remove authenticator app", page, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, page, StringComparison.Ordinal);

        await PostAsync(user, page, "recovery-codes", expected: Page);
        page = await PageAsync(user);
        var codes = CodeItem().Matches(page).Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(10, codes.Distinct().Count());

        page = await PageAsync(user);
        Assert.DoesNotContain(codes[0], page, StringComparison.Ordinal);
        Assert.Contains("10 of 10 recovery codes unused", page, StringComparison.Ordinal);
        var status = await fixture.Host.Host.Api.OkAsync(HttpMethod.Get, $"/v1/users/{user.Id}/mfa", "acme");
        Assert.True(status.GetProperty("totpEnrolled").GetBoolean());
    }

    [Fact]
    public async Task removing_on_the_page_needs_a_sign_in_within_five_minutes()
    {
        var stale = await fixture.NewUserAsync();
        await EnrolOnPageAsync(stale);
        fixture.Time.Advance(TimeSpan.FromMinutes(6));

        var page = await PageAsync(stale);
        await PostAsync(stale, page, "remove", expected: "/ui/login?return=%2Fui%2Faccount%2Fmfa&prompt=login");
        Assert.True((await fixture.Host.Host.Api.OkAsync(HttpMethod.Get, $"/v1/users/{stale.Id}/mfa", "acme")).GetProperty("totpEnrolled").GetBoolean());

        var fresh = await fixture.NewUserAsync();
        await EnrolOnPageAsync(fresh);
        page = await PageAsync(fresh);
        await PostAsync(fresh, page, "remove", expected: Page + "?m=removed");
        Assert.False((await fixture.Host.Host.Api.OkAsync(HttpMethod.Get, $"/v1/users/{fresh.Id}/mfa", "acme")).GetProperty("totpEnrolled").GetBoolean());
    }

    [Fact]
    public async Task a_post_without_the_antiforgery_token_or_with_an_unknown_action_changes_nothing()
    {
        var user = await fixture.NewUserAsync();

        using (var forged = await user.Browser.PostAsync(Page, new FormUrlEncodedContent(new Dictionary<string, string> { ["action"] = "start" })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        var page = await PageAsync(user);
        using (var unknown = await user.Browser.PostAsync(Page, Form(page, "enrol-everything")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        }

        using (var json = await user.Browser.PostAsync(Page, new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        }

        Assert.False((await fixture.Host.Host.Api.OkAsync(HttpMethod.Get, $"/v1/users/{user.Id}/mfa", "acme")).GetProperty("totpPending").GetBoolean());
    }

    [Fact]
    public async Task the_page_is_never_framed_or_cached_and_loads_nothing_from_elsewhere()
    {
        var user = await fixture.NewUserAsync();
        using var response = await user.Browser.GetAsync(Page);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("img-src 'self' data:", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    private async Task EnrolOnPageAsync(SignedInUser user)
    {
        var page = await PageAsync(user);
        await PostAsync(user, page, "start", expected: Page);
        page = await PageAsync(user);
        await PostAsync(user, page, "confirm", new() { ["code"] = fixture.Code(SecretOf(page)) }, expected: Page + "?m=enrolled");
    }

    private static async Task<string> PageAsync(SignedInUser user, string path = Page)
    {
        using var response = await user.Browser.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {html}");
        return html;
    }

    private static async Task PostAsync(SignedInUser user, string page, string action, Dictionary<string, string>? fields = null, string? expected = null)
    {
        using var posted = await user.Browser.PostAsync(Page, Form(page, action, fields));
        Assert.True(posted.StatusCode == HttpStatusCode.SeeOther, $"{(int)posted.StatusCode} {await posted.Content.ReadAsStringAsync()}");
        Assert.Equal(expected, posted.Headers.Location!.OriginalString);
    }

    private static FormUrlEncodedContent Form(string page, string action, Dictionary<string, string>? fields = null)
    {
        var form = new Dictionary<string, string>(fields ?? []) { ["__csrf"] = OidcHost.Hidden(page, "__csrf"), ["action"] = action };
        return new FormUrlEncodedContent(form);
    }

    private static string SecretOf(string page)
    {
        var match = SecretCode().Match(page);
        Assert.True(match.Success, "no secret on the page");
        return match.Groups[1].Value.Replace(" ", "", StringComparison.Ordinal);
    }

    [GeneratedRegex("<code id=\"secret\">([A-Z2-7 ]+)</code>")]
    private static partial Regex SecretCode();

    [GeneratedRegex("<li><code>([a-z2-7-]{39})</code></li>")]
    private static partial Regex CodeItem();
}
