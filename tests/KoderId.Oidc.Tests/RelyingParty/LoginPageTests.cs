using KoderId.Oidc.Tests.Conformance;
using Microsoft.Playwright;

namespace KoderId.Oidc.Tests.RelyingParty;

/// <summary>The hosted login page as Chromium sees it: accessible form, security headers, no foreign asset, CSRF, the SSO cookie.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class LoginPageTests(ChromiumFixture fixture)
{
    [Fact]
    public async Task the_inputs_are_labelled_and_carry_the_autocomplete_hints_password_managers_need()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await OpenLoginAsync(context);

        var username = page.GetByLabel("Username or email");
        var password = page.GetByLabel("Password");

        // "webauthn" lets the browser offer passkeys in the username field's autofill (conditional mediation).
        Assert.Equal("username webauthn", await username.GetAttributeAsync("autocomplete"));
        Assert.Equal("text", await username.GetAttributeAsync("type"));
        Assert.Equal("current-password", await password.GetAttributeAsync("autocomplete"));
        Assert.Equal("password", await password.GetAttributeAsync("type"));
        Assert.Equal(1, await page.Locator("input[type=hidden][name=__csrf]").CountAsync());
    }

    [Fact]
    public async Task the_page_may_not_be_framed_and_loads_nothing_from_another_origin()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await OpenLoginAsync(context);
        var requests = new List<string>();
        page.Request += (_, request) => requests.Add(request.Url);

        var response = await page.ReloadAsync();

        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        var headers = await response.AllHeadersAsync();
        Assert.Contains("frame-ancestors 'none'", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Equal("DENY", headers["x-frame-options"]);
        Assert.NotEmpty(requests);
        Assert.All(requests, url => Assert.StartsWith(fixture.Issuer + "/", url, StringComparison.Ordinal));
        Assert.Empty(await page.Locator("link[rel=stylesheet], img, iframe").AllAsync());

        // Scripts only from this origin's /ui/assets/, none inline, and the CSP allows nothing else.
        var scripts = await page.Locator("script").AllAsync();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            Assert.StartsWith("/ui/assets/", await script.GetAttributeAsync("src"), StringComparison.Ordinal);
            Assert.Equal("", await script.InnerTextAsync());
        }

        Assert.Contains("script-src 'self';", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", headers["content-security-policy"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_post_answers_303_and_sets_an_httponly_samesite_lax_sso_cookie_for_this_tenant_host_only()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await OpenLoginAsync(context);
        var post = page.WaitForResponseAsync(r => r.Request.Method == "POST" && r.Url == fixture.Issuer + "/ui/login");

        await page.GetByLabel("Username or email").FillAsync("alice");
        await page.GetByLabel("Password").FillAsync(ChromiumFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        Assert.Equal(303, (await post).Status);
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Rp.Origin}/a/");
        var cookies = await context.CookiesAsync([fixture.Issuer]);
        var sso = Assert.Single(cookies, c => c.Name == "koderid_session");
        Assert.True(sso.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, sso.SameSite);
        Assert.Equal("/", sso.Path);
        Assert.Equal("acme.localhost", sso.Domain); // a host-only cookie: no Domain attribute
        Assert.DoesNotContain(await context.CookiesAsync([fixture.Server.Issuer("globex")]), c => c.Name == "koderid_session");
    }

    [Fact]
    public async Task a_login_post_without_the_csrf_field_is_refused_and_starts_no_session()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await OpenLoginAsync(context);
        var before = await fixture.Server.CountEventsAsync("session.started.v1");
        await page.EvaluateAsync("document.querySelector('input[name=__csrf]').remove()");

        var status = await SubmitAsync(page);

        Assert.Equal(400, status);
        Assert.Equal(before, await fixture.Server.CountEventsAsync("session.started.v1"));
        Assert.DoesNotContain(await context.CookiesAsync([fixture.Issuer]), c => c.Name == "koderid_session");
    }

    [Fact]
    public async Task a_login_post_with_another_browsers_csrf_token_is_refused_and_starts_no_session()
    {
        await using var other = await fixture.NewContextAsync();
        var theirs = await (await OpenLoginAsync(other)).Locator("input[name=__csrf]").GetAttributeAsync("value");
        await using var context = await fixture.NewContextAsync();
        var page = await OpenLoginAsync(context);
        var before = await fixture.Server.CountEventsAsync("session.started.v1");
        await page.EvaluateAsync("t => document.querySelector('input[name=__csrf]').value = t", theirs);

        var status = await SubmitAsync(page);

        Assert.Equal(400, status);
        Assert.Equal(before, await fixture.Server.CountEventsAsync("session.started.v1"));
        Assert.DoesNotContain(await context.CookiesAsync([fixture.Issuer]), c => c.Name == "koderid_session");
    }

    [Fact]
    public async Task a_login_hint_prefills_the_username_and_an_unknown_client_gets_an_error_page_not_a_redirect()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var authorize = $"{fixture.Issuer}/oauth/v2/authorize?client_id={fixture.ClientIds["a"]}"
            + $"&redirect_uri={Uri.EscapeDataString(RelyingPartyApp.RedirectUri(fixture.RpPort, "a"))}&response_type=code&scope=openid"
            + $"&state=s&code_challenge={OidcHost.Pkce().Challenge}&code_challenge_method=S256&login_hint=alice%40example.com";

        await page.GotoAsync(authorize);

        Assert.Equal("alice@example.com", await page.GetByLabel("Username or email").InputValueAsync());
        Assert.NotNull(await page.GetByLabel("Password").GetAttributeAsync("autofocus"));

        var error = await page.GotoAsync(authorize.Replace(fixture.ClientIds["a"], "unknown-client", StringComparison.Ordinal));
        Assert.Equal(400, error!.Status);
        Assert.StartsWith($"{fixture.Issuer}/oauth/v2/authorize?", page.Url, StringComparison.Ordinal);
        Assert.Equal("DENY", (await error.AllHeadersAsync())["x-frame-options"]);
    }

    /// <summary>The RP's protected page, which sends the browser to our login page.</summary>
    private async Task<IPage> OpenLoginAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{fixture.Rp.Origin}/a/");
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/login?**");
        return page;
    }

    private static async Task<int> SubmitAsync(IPage page)
    {
        await page.GetByLabel("Username or email").FillAsync("alice");
        await page.GetByLabel("Password").FillAsync(ChromiumFixture.Password);
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/ui/login", StringComparison.Ordinal));
        return response.Status;
    }
}
