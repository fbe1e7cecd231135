using System.Text.RegularExpressions;
using KoderId.Server.Tests.Infrastructure;
using Microsoft.Playwright;

namespace KoderId.Oidc.Tests.RelyingParty;

/// <summary>
/// Shared by the Chromium classes (one browser, one issuer, one RP for all of them): Koder ID on Kestrel with
/// tenants acme and globex, alice in acme, and three RP clients — <c>a</c> and <c>b</c> first-party, <c>c</c>
/// and <c>d</c> third-party (consent, remembered once given: one to deny, one to allow), <c>e</c>
/// first-party asking max_age=0, <c>f</c> first-party reading the userinfo endpoint — served by one <see cref="RelyingPartyApp"/>. Each test opens its own browser context,
/// so cookies never leak between tests.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string Password = "correct horse battery staple 42";

    private IPlaywright? _playwright;

    public KestrelIssuer Server { get; private set; } = null!;

    public RelyingPartyApp Rp { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string UserId { get; private set; } = "";

    public int RpPort { get; private set; }

    public Dictionary<string, string> ClientIds { get; } = [];

    public string Issuer => Server.Issuer("acme");

    public async Task InitializeAsync()
    {
        Server = await KestrelIssuer.StartAsync("acme", "globex");
        UserId = await Server.CreateUserAsync("acme", "alice", "alice@example.com", "Alice", "Liddell", Password);
        RpPort = ServerProcess.FreePort();
        var clients = new List<RpClient>();
        foreach (var (name, firstParty) in new[] { ("a", true), ("b", true), ("c", false), ("d", false), ("e", true), ("f", true) })
        {
            var (id, secret) = await Server.CreateClientAsync("acme", new
            {
                name = "RP " + name,
                redirectUris = new[] { RelyingPartyApp.RedirectUri(RpPort, name) },
                postLogoutRedirectUris = new[] { RelyingPartyApp.PostLogoutRedirectUri(RpPort, name) },
                grantTypes = new[] { "authorization_code", "refresh_token" },
                scopes = new[] { "openid", "profile", "email", "offline_access" },
                firstParty,

                // The handler posts client_id and client_secret in the body; the server holds a client to the
                // method it registered, so register the one the library uses.
                tokenEndpointAuthMethod = "client_secret_post",
            });
            clients.Add(new RpClient(name, id, secret, name == "e" ? TimeSpan.Zero : null, UserInfo: name == "f"));
            ClientIds[name] = id;
        }

        Rp = await RelyingPartyApp.StartAsync(RpPort, Issuer, clients);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox"],
        });
    }

    /// <summary>A fresh browser profile (no cookies) of this fixture's browser.</summary>
    public Task<IBrowserContext> NewContextAsync() => NewContextAsync(Browser);

    /// <summary>
    /// A fresh browser profile (no cookies) whose waits give up after 30 s. A wait only bounds a failure, and on the
    /// two-core CI machine several browsers share the cores with Argon2id hashing, so 10 s was sometimes too short.
    /// </summary>
    public static async Task<IBrowserContext> NewContextAsync(IBrowser browser, BrowserNewContextOptions? options = null)
    {
        var context = await browser.NewContextAsync(options);
        context.SetDefaultTimeout(30_000);
        return context;
    }

    /// <summary>
    /// Waits until the page's address matches <paramref name="url"/> (a glob: <c>**</c> any characters, <c>*</c> any but
    /// '/'; '?' is literal); on timeout says where the browser is and what it shows.
    /// </summary>
    public static async Task ArriveAsync(IPage page, string url)
    {
        // The address is polled rather than waited for with WaitForURLAsync: under CPU load that wait sometimes never
        // returned although the page was at the address and showing its content (with the Debian Chromium, both the
        // DOMContentLoaded and the commit waits ran out). Every locator that follows waits for what the test needs.
        var pattern = new Regex("^" + Regex.Escape(url).Replace(@"\*\*", ".*", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal) + "$");
        var deadline = DateTime.UtcNow + ArrivalTimeout;
        while (!pattern.IsMatch(page.Url))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"expected {url}, at {page.Url}:\n{await page.ContentAsync()}");
            }

            await Task.Delay(50);
        }
    }

    private static readonly TimeSpan ArrivalTimeout = TimeSpan.FromSeconds(30);

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

[CollectionDefinition(Name)]
public sealed class ChromiumCollection : ICollectionFixture<ChromiumFixture>
{
    public const string Name = "chromium";
}
