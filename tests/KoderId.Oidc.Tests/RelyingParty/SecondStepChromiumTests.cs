using KoderId.Application.Flows;
using KoderId.Server.Tests.Flows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace KoderId.Oidc.Tests.RelyingParty;

/// <summary>Its own issuer with a stand-in second factor (<see cref="FakeTotpFactor"/>) for bob, and one headless Chromium.</summary>
public sealed class SecondStepFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public FakeTotpFactor Totp { get; } = new();

    public KestrelIssuer Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string Issuer => Server.Issuer("acme");

    public async Task InitializeAsync()
    {
        Server = await KestrelIssuer.StartAsync(s => s.AddSingleton<IAuthenticationFactor>(Totp), "acme");
        Totp.EnrolledUsers.Add(await Server.CreateUserAsync("acme", "bob", "bob@example.com", "Bob", "Builder", ChromiumFixture.Password));
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox"] });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

/// <summary>The second-step page in Chromium: login.js posts the code as JSON to the flow API and the cookie mode signs the browser in.</summary>
public sealed class SecondStepChromiumTests(SecondStepFixture fixture) : IClassFixture<SecondStepFixture>
{
    [Fact]
    public async Task password_then_the_second_step_through_login_js_signs_in_and_lands_on_the_account_page()
    {
        await using var context = await ChromiumFixture.NewContextAsync(fixture.Browser);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        // Script errors only: a refused answer's 401 is logged by the browser as a failed load, on purpose.
        page.PageError += (_, error) => errors.Add(error);
        var flowPosts = new List<IRequest>();
        page.Request += (_, request) =>
        {
            // passkeys.js asks for a conditional (autofill) passkey request on the login page: not a step answer.
            if (request.Url.Contains("/v1/auth/flows/", StringComparison.Ordinal) && !request.Url.EndsWith("/webauthn/challenge", StringComparison.Ordinal))
            {
                flowPosts.Add(request);
            }
        };

        await page.GotoAsync($"{fixture.Issuer}/ui/account");
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/login?return=**");
        await page.GetByLabel("Username or email").FillAsync("bob");
        await page.GetByLabel("Password").FillAsync(ChromiumFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/login/step?**");

        // A wrong code: the script shows the refusal and the page stays.
        await page.GetByLabel("Code from your authenticator app").FillAsync("135791");
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await page.Locator("#flow-error").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.Contains("not accepted", await page.Locator("#flow-error").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("/ui/login/step", page.Url, StringComparison.Ordinal);

        await page.GetByLabel("Code from your authenticator app").FillAsync(FakeTotpFactor.Code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/account");
        Assert.Contains("Your account", await page.InnerTextAsync("h1"), StringComparison.Ordinal);

        Assert.Equal(2, flowPosts.Count);
        Assert.All(flowPosts, r =>
        {
            Assert.Equal("POST", r.Method);
            Assert.EndsWith("/totp", r.Url, StringComparison.Ordinal);
            Assert.Equal("cookie", r.Headers["x-koderid-login"]);
            Assert.StartsWith("application/json", r.Headers["content-type"], StringComparison.Ordinal);
        });
        var cookies = await context.CookiesAsync([fixture.Issuer]);
        Assert.Contains(cookies, c => c.Name == "koderid_session" && c.HttpOnly);
        Assert.Empty(errors);
    }
}
