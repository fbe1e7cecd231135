using KoderId.Oidc.Tests.Conformance;
using KoderId.Projections.Sessions;
using KoderId.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OtpNet;

namespace KoderId.Oidc.Tests.RelyingParty;

/// <summary>Its own issuer whose tenant requires MFA, users without a second factor, one RP client and one headless Chromium.</summary>
public sealed class EnrolmentFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public KestrelIssuer Server { get; private set; } = null!;

    public RelyingPartyApp Rp { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string ClientId { get; private set; } = "";

    public Dictionary<string, string> UserIds { get; } = [];

    public string Issuer => Server.Issuer("acme");

    public async Task InitializeAsync()
    {
        Server = await KestrelIssuer.StartAsync("acme");
        await Server.PatchTenantSettingsAsync("acme", new { mfa = new { required = true } });
        foreach (var name in new[] { "carol", "dave", "erin", "frank" })
        {
            UserIds[name] = await Server.CreateUserAsync("acme", name, $"{name}@example.com", name, "Example", ChromiumFixture.Password);
        }

        var port = ServerProcess.FreePort();
        var (id, secret) = await Server.CreateClientAsync("acme", new
        {
            name = "RP a",
            redirectUris = new[] { RelyingPartyApp.RedirectUri(port, "a") },
            postLogoutRedirectUris = new[] { RelyingPartyApp.PostLogoutRedirectUri(port, "a") },
            grantTypes = new[] { "authorization_code", "refresh_token" },
            scopes = new[] { "openid", "profile", "email", "offline_access" },
            firstParty = true,
            tokenEndpointAuthMethod = "client_secret_post",
        });
        ClientId = id;
        Rp = await RelyingPartyApp.StartAsync(port, Issuer, [new RpClient("a", id, secret)]);
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
        if (Rp is not null)
        {
            await Rp.DisposeAsync();
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

/// <summary>
/// Enrolment during sign-in on the hosted page (ADR 0006): the step page shows the QR code and the key, the first code
/// from the app (computed here with Otp.NET) turns the TOTP on, the recovery codes are shown once, and Continue ends
/// the authorization code flow with two factors; with login.js and without script, under the pages' CSP.
/// </summary>
public sealed class EnrolmentChromiumTests(EnrolmentFixture fixture) : IClassFixture<EnrolmentFixture>
{
    [Fact]
    public async Task with_login_js_a_user_enrols_a_totp_while_signing_in_to_an_rp_and_the_id_token_says_loa_2()
    {
        await using var context = await ChromiumFixture.NewContextAsync(fixture.Browser);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                errors.Add(message.Text);
            }
        };

        await page.GotoAsync($"{fixture.Rp.Origin}/a/");
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/login?ar=**");
        await page.GetByLabel("Username or email").FillAsync("carol");
        await page.GetByLabel("Password").FillAsync(ChromiumFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/login/step?**");

        // The QR code is a data: PNG the CSP allows, and it loaded.
        Assert.True(await page.EvaluateAsync<int>("() => document.getElementById('totp-qr').naturalWidth") > 0);
        var secret = (await page.InnerTextAsync("#totp-secret")).Replace(" ", "", StringComparison.Ordinal);

        // A wrong code: login.js shows the refusal and the page stays, with the same secret.
        await page.GetByLabel("Code from the app").FillAsync(Wrong(secret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await page.Locator("#flow-error").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.Contains("/ui/login/step", page.Url, StringComparison.Ordinal);

        await page.GetByLabel("Code from the app").FillAsync(Now(secret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await page.Locator("#recovery-codes-panel").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.Equal(10, await page.Locator("#recovery-codes li").CountAsync());
        Assert.Matches("^([a-z2-7]{4}-){7}[a-z2-7]{4}$", await page.Locator("#recovery-codes li").First.InnerTextAsync());
        Assert.False(await page.Locator("#totp-enrolment").IsVisibleAsync());

        await page.GetByRole(AriaRole.Link, new() { Name = "Continue" }).ClickAsync();
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Rp.Origin}/a/");
        var claims = RelyingPartyTests.Claims(await page.InnerTextAsync("body"));
        var idToken = OidcHost.Payload(claims["token:id_token"]);
        Assert.Equal("urn:koderid:loa:2", idToken.GetProperty("acr").GetString());
        Assert.Equal(["pwd", "otp"], idToken.GetProperty("amr").EnumerateArray().Select(a => a.GetString()));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task without_script_the_forms_enrol_and_the_recovery_codes_page_shows_the_codes_once()
    {
        await using var context = await ChromiumFixture.NewContextAsync(fixture.Browser, new() { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();

        await page.GotoAsync($"{fixture.Issuer}/ui/account");
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/login?return=**");
        await page.GetByLabel("Username or email").FillAsync("dave");
        await page.GetByLabel("Password").FillAsync(ChromiumFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/login/step?**");
        var secret = (await page.InnerTextAsync("#totp-secret")).Replace(" ", "", StringComparison.Ordinal);

        // A wrong code comes back to the step page with the refusal and the same key.
        await page.GetByLabel("Code from the app").FillAsync(Wrong(secret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/login/step?**e=1**");
        Assert.Equal(secret, (await page.InnerTextAsync("#totp-secret")).Replace(" ", "", StringComparison.Ordinal));

        await page.GetByLabel("Code from the app").FillAsync(Now(secret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/login/recovery-codes?**");
        Assert.Equal(10, await page.Locator("#recovery-codes li").CountAsync());
        var recoveryUrl = page.Url;

        await page.GetByRole(AriaRole.Link, new() { Name = "Continue" }).ClickAsync();
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/account");

        // Shown once: the same address again goes straight on.
        await page.GotoAsync(recoveryUrl);
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/account");
        var cookie = (await context.CookiesAsync([fixture.Issuer])).Single(c => c.Name == "koderid_session");
        var session = await fixture.Server.Services.GetRequiredService<SessionDirectory>().GetAsync("acme", cookie.Value.Split('.')[0]);
        Assert.Equal("urn:koderid:loa:2", session!.Acr);
    }

    [Fact]
    public async Task an_expired_flow_sends_the_browser_back_to_sign_in_and_enrols_nothing()
    {
        await using var context = await ChromiumFixture.NewContextAsync(fixture.Browser, new() { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{fixture.Issuer}/ui/login?return=/ui/account");
        await page.GetByLabel("Username or email").FillAsync("erin");
        await page.GetByLabel("Password").FillAsync(ChromiumFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/login/step?**");
        var secret = (await page.InnerTextAsync("#totp-secret")).Replace(" ", "", StringComparison.Ordinal);

        // The flow ends under the page (its five minutes pass): the store no longer has it.
        var flowId = (await context.CookiesAsync([fixture.Issuer])).Single(c => c.Name == "koderid_flow").Value;
        var store = fixture.Server.Services.GetRequiredService<KoderId.EventSourcing.Storage.ITransientStore>();
        await store.DeleteAsync("acme", KoderId.Application.Flows.FlowEngine.Kind, flowId);

        await page.GetByLabel("Code from the app").FillAsync(Now(secret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/login?**e=3**");
        Assert.Contains("took too long", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        var mfa = fixture.Server.Services.GetRequiredService<KoderId.EventSourcing.Storage.IEventStore>()
            .ReadStreamAsync("acme", KoderId.Application.Common.StreamNames.Mfa("acme", fixture.UserIds["erin"]));
        await foreach (var e in mfa)
        {
            Assert.Fail($"erin's MFA stream has {e.EventType}");
        }
    }

    [Fact]
    public async Task with_a_virtual_authenticator_a_user_creates_a_passkey_instead_and_the_id_token_says_loa_2()
    {
        await using var context = await ChromiumFixture.NewContextAsync(fixture.Browser);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable", new Dictionary<string, object> { ["enableUI"] = false });
        await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });

        await page.GotoAsync($"{fixture.Rp.Origin}/a/");
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/login?ar=**");
        await page.GetByLabel("Username or email").FillAsync("frank");
        await page.GetByLabel("Password").FillAsync(ChromiumFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/login/step?**");

        await page.GetByRole(AriaRole.Button, new() { Name = "Create a passkey" }).ClickAsync();
        await page.Locator("#recovery-codes-panel").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.Equal(10, await page.Locator("#recovery-codes li").CountAsync());
        Assert.False(await page.Locator("#passkey-enrolment").IsVisibleAsync());

        await page.GetByRole(AriaRole.Link, new() { Name = "Continue" }).ClickAsync();
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Rp.Origin}/a/");
        var idToken = OidcHost.Payload(RelyingPartyTests.Claims(await page.InnerTextAsync("body"))["token:id_token"]);
        Assert.Equal("urn:koderid:loa:2", idToken.GetProperty("acr").GetString());
        Assert.Equal(["pwd", "hwk"], idToken.GetProperty("amr").EnumerateArray().Select(a => a.GetString()));
        Assert.Empty(errors);
    }

    private static string Now(string secret) => new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow);

    private static string Wrong(string secret)
    {
        // Not a code of any step the server accepts (±1 step of now).
        var totp = new Totp(Base32Encoding.ToBytes(secret));
        var accepted = new[] { -30, 0, 30 }.Select(s => totp.ComputeTotp(DateTime.UtcNow.AddSeconds(s))).ToHashSet();
        return Enumerable.Range(0, 10).Select(i => new string((char)('0' + i), 6)).First(c => !accepted.Contains(c));
    }
}
