using KoderId.Oidc.Tests.Conformance;
using Microsoft.Playwright;

namespace KoderId.Oidc.Tests.RelyingParty;

/// <summary>
/// ASP.NET Core's OpenIdConnect handler against our issuer, unchanged, driven by headless Chromium: the user
/// signs in on our login page and lands back at the RP with the claims the handler validated itself.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class RelyingPartyTests(ChromiumFixture fixture)
{
    [Fact]
    public async Task the_aspnet_core_openidconnect_handler_signs_a_user_in_through_our_login_page()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync($"{fixture.Rp.Origin}/a/");

        Assert.True(page.Url.StartsWith($"{fixture.Issuer}/ui/login?ar=", StringComparison.Ordinal), page.Url + "\n" + await page.InnerTextAsync("body"));
        await page.GetByLabel("Username or email").FillAsync("alice");
        await page.GetByLabel("Password").FillAsync(ChromiumFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Rp.Origin}/a/");

        var claims = Claims(await page.InnerTextAsync("body"));
        Assert.Equal(fixture.UserId, claims["sub"]);
        Assert.Equal("Alice Liddell", claims["name"]);
        Assert.Equal("alice@example.com", claims["email"]);
        Assert.Equal(fixture.Issuer, claims["validated.iss"]);
        Assert.Equal(fixture.ClientIds["a"], claims["validated.aud"]);
        Assert.Equal("RS256", claims["validated.alg"]);
        Assert.False(string.IsNullOrEmpty(claims["token:refresh_token"]));

        // The handler compared nonce and at_hash itself (it fails the sign-in otherwise); they were there to compare.
        var idToken = OidcHost.Payload(claims["token:id_token"]);
        Assert.Equal(claims["validated.nonce"], idToken.GetProperty("nonce").GetString());
        Assert.Equal(KoderId.Oidc.Token.TokenIssuer.AtHash(claims["token:access_token"]), idToken.GetProperty("at_hash").GetString());
        Assert.Equal(claims["validated.kid"], OidcHost.Header(claims["token:id_token"]).GetProperty("kid").GetString());

        // Over real HTTP, from the issuer alone: discovery, then the keys and the token endpoint it names.
        Assert.Contains($"GET {fixture.Issuer}/.well-known/openid-configuration", fixture.Rp.Backchannel);
        Assert.Contains($"GET {fixture.Issuer}/oauth/v2/keys", fixture.Rp.Backchannel);
        Assert.Contains($"POST {fixture.Issuer}/oauth/v2/token", fixture.Rp.Backchannel);
    }

    [Fact]
    public async Task a_second_client_in_the_same_browser_signs_in_without_the_login_page()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "a");
        var seen = new List<string>();
        page.Request += (_, request) => seen.Add(request.Url);

        await page.GotoAsync($"{fixture.Rp.Origin}/b/");

        Assert.Equal($"{fixture.Rp.Origin}/b/", page.Url);
        Assert.DoesNotContain(seen, url => url.Contains("/ui/login", StringComparison.Ordinal));
        Assert.Contains(seen, url => url.StartsWith($"{fixture.Issuer}/oauth/v2/authorize", StringComparison.Ordinal));
        var claims = Claims(await page.InnerTextAsync("body"));
        Assert.Equal(fixture.UserId, claims["sub"]);
        Assert.Equal(fixture.ClientIds["b"], claims["validated.aud"]);
    }

    [Fact]
    public async Task a_third_party_client_asks_for_consent_and_deny_returns_access_denied_to_the_rp()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{fixture.Rp.Origin}/c/");
        await page.GetByLabel("Username or email").FillAsync("alice");
        await page.GetByLabel("Password").FillAsync(ChromiumFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/consent?**");
        Assert.Contains("RP c", await page.InnerTextAsync("body"), StringComparison.Ordinal);
        var callback = page.WaitForRequestAsync(r => r.Url.StartsWith($"{fixture.Rp.Origin}/c/signin-oidc", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = "Deny" }).ClickAsync();

        var query = OidcHost.Query(new Uri((await callback).Url));
        Assert.Equal("access_denied", query["error"]);
        Assert.Equal(fixture.Issuer, query["iss"]);
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Rp.Origin}/c/denied**");
        Assert.Contains("access denied by the user", await page.InnerTextAsync("body"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_third_party_client_the_user_allows_gets_signed_in()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "a");

        await page.GotoAsync($"{fixture.Rp.Origin}/d/");
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/consent?**");
        await page.GetByRole(AriaRole.Button, new() { Name = "Allow" }).ClickAsync();
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Rp.Origin}/d/");

        Assert.Equal(fixture.UserId, Claims(await page.InnerTextAsync("body"))["sub"]);
    }

    [Fact]
    public async Task a_client_asking_max_age_0_signs_the_user_in_once_and_lands_back_instead_of_looping_to_the_login_page()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var logins = 0;
        page.Request += (_, request) => logins += request.Method == "GET" && request.Url.StartsWith($"{fixture.Issuer}/ui/login?", StringComparison.Ordinal) ? 1 : 0;

        await SignInAsync(page, "e");

        Assert.Equal(1, logins);
        var claims = Claims(await page.InnerTextAsync("body"));
        Assert.Equal(fixture.ClientIds["e"], claims["validated.aud"]);
        Assert.True(OidcHost.Payload(claims["token:id_token"]).TryGetProperty("auth_time", out _));
    }

    [Fact]
    public async Task the_handler_reads_the_userinfo_endpoint_with_the_access_token_and_keeps_the_claims()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();

        await SignInAsync(page, "f");

        Assert.Contains($"GET {fixture.Issuer}/oidc/v1/userinfo", fixture.Rp.Backchannel);
        var claims = Claims(await page.InnerTextAsync("body"));
        Assert.Equal(fixture.UserId, claims["sub"]);
        Assert.Equal("Alice Liddell", claims["name"]);
        Assert.Equal("alice@example.com", claims["email"]);
    }

    [Fact]
    public async Task the_handlers_sign_out_ends_our_session_and_returns_to_the_rp_so_the_next_sign_in_asks_again()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "a");
        var endSession = page.WaitForRequestAsync(r => r.Url.StartsWith($"{fixture.Issuer}/oidc/v1/end_session?", StringComparison.Ordinal));

        await page.GotoAsync($"{fixture.Rp.Origin}/a/logout");

        var query = OidcHost.Query(new Uri((await endSession).Url));
        Assert.True(query.ContainsKey("id_token_hint"));
        Assert.Equal(RelyingPartyApp.PostLogoutRedirectUri(fixture.RpPort, "a"), query["post_logout_redirect_uri"]);
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Rp.Origin}/a/signed-out");
        Assert.DoesNotContain(await context.CookiesAsync([fixture.Issuer]), c => c.Name == "koderid_session");

        await page.GotoAsync($"{fixture.Rp.Origin}/b/");
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/login?**");
    }

    internal async Task SignInAsync(IPage page, string client)
    {
        await page.GotoAsync($"{fixture.Rp.Origin}/{client}/");
        await page.GetByLabel("Username or email").FillAsync("alice");
        await page.GetByLabel("Password").FillAsync(ChromiumFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Rp.Origin}/{client}/");
    }

    /// <summary>The RP page's <c>type=value</c> lines (the last value wins for a repeated type).</summary>
    internal static Dictionary<string, string> Claims(string text)
    {
        Assert.StartsWith("signed in", text, StringComparison.Ordinal);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1)
            .Select(line => line.Split('=', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0])
            .ToDictionary(g => g.Key, g => g.Last()[1]);
    }
}
