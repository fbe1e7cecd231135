using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Application.Common;
using KoderId.Application.Flows;
using KoderId.Application.Passkeys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace KoderId.Oidc.Tests.RelyingParty;

/// <summary>
/// Passkeys end to end in headless Chromium with the DevTools virtual authenticator (CTAP2, internal transport,
/// resident keys, user verification): registration on <c>/ui/account/passkeys</c> through
/// <c>/ui/assets/passkeys.js</c>, then the browser's assertion verified by the <c>webauthn</c> flow step, with a
/// username and without; the same credential is nothing at another tenant.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class PasskeyBrowserTests(ChromiumFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>The Chromium classes share alice: a passkey left behind would make their password sign-ins ask for a second step.</summary>
    public Task DisposeAsync() => RemoveAlicesPasskeysAsync();

    private const string GetScript = """
        async (json) => {
            const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(JSON.parse(json));
            const credential = await navigator.credentials.get({ publicKey });
            return JSON.stringify(credential.toJSON());
        }
        """;

    [Fact]
    public async Task a_passkey_made_on_the_account_page_signs_in_with_and_without_a_username_and_only_at_its_tenant()
    {
        await RemoveAlicesPasskeysAsync();
        await using var context = await fixture.NewContextAsync();
        var page = await SignInWithPasswordAsync(context);
        var authenticator = await AddVirtualAuthenticatorAsync(context, page);
        var registeredBefore = await fixture.Server.CountEventsAsync("passkey.registered.v1");

        // Register on the account page.
        var response = await page.GotoAsync(fixture.Issuer + "/ui/account/passkeys");
        Assert.Equal(200, response!.Status);
        Assert.Contains("script-src 'self'", (await response.AllHeadersAsync())["content-security-policy"], StringComparison.Ordinal);
        Assert.Empty(await page.Locator("script:not([src])").AllAsync());
        await page.GetByLabel("Name for a new passkey (optional)").FillAsync("Chromium laptop");
        await page.ClickAsync("#passkey-add");
        await page.Locator("#passkey-list li", new() { HasText = "Chromium laptop" }).WaitForAsync();

        Assert.Equal(registeredBefore + 1, await fixture.Server.CountEventsAsync("passkey.registered.v1"));
        var credentials = await authenticator.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = authenticator.Id });
        var stored = Assert.Single(credentials!.Value.GetProperty("credentials").EnumerateArray());
        Assert.Equal("acme.localhost", stored.GetProperty("rpId").GetString());
        Assert.True(stored.GetProperty("isResidentCredential").GetBoolean());

        // Sign in with the username known: allowCredentials names the passkey.
        var usedBefore = await fixture.Server.CountEventsAsync("passkey.used.v1");
        var named = await BeginAsync("acme", fixture.UserId, fixture.Issuer);
        Assert.Single(named.Options["allowCredentials"]!.AsArray());
        var namedAssertion = await page.EvaluateAsync<string>(GetScript, named.Options.ToJsonString());
        var outcome = await VerifyAsync(named.Context, namedAssertion);
        Assert.True(outcome.Succeeded);
        Assert.Equal(fixture.UserId, outcome.UserId);
        Assert.Equal(["hwk", "user"], outcome.Amr);
        Assert.Equal(FactorKind.MultiFactor, outcome.Kind);

        // Username-less: empty allowCredentials, the discoverable credential names its user (userHandle).
        var anonymous = await BeginAsync("acme", null, fixture.Issuer);
        Assert.Empty(anonymous.Options["allowCredentials"]!.AsArray());
        var assertion = await page.EvaluateAsync<string>(GetScript, anonymous.Options.ToJsonString());
        Assert.NotNull(JsonNode.Parse(assertion)!["response"]!["userHandle"]);
        var usernameless = await VerifyAsync(anonymous.Context, assertion);
        Assert.True(usernameless.Succeeded);
        Assert.Equal(fixture.UserId, usernameless.UserId);

        // Replayed: the challenge was consumed.
        Assert.False((await VerifyAsync(anonymous.Context, assertion)).Succeeded);

        // At globex the browser will not use acme's RP ID ...
        var globex = fixture.Server.Issuer("globex");
        await page.GotoAsync(globex + "/ui/assets/passkeys.js");
        var foreign = await BeginAsync("globex", null, globex);
        var asAcme = JsonNode.Parse(foreign.Options.ToJsonString())!.AsObject();
        asAcme["rpId"] = "acme.localhost";
        var refusal = await page.EvaluateAsync<string>(
            "async (json) => { try { await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(JSON.parse(json)) }); return 'signed'; } catch (e) { return e.name; } }",
            asAcme.ToJsonString());
        Assert.Equal("SecurityError", refusal);

        // ... and an assertion acme's page makes for globex's challenge proves nothing at globex.
        await page.GotoAsync(fixture.Issuer + "/ui/assets/passkeys.js");
        var signedForGlobex = await page.EvaluateAsync<string>(GetScript, asAcme.ToJsonString());
        Assert.False((await VerifyAsync(foreign.Context, signedForGlobex)).Succeeded);
        Assert.Equal(usedBefore + 2, await fixture.Server.CountEventsAsync("passkey.used.v1"));
    }

    [Fact]
    public async Task the_account_page_renames_and_deletes_a_passkey_and_sends_the_signed_out_to_the_login_page()
    {
        await using var anonymous = await fixture.NewContextAsync();
        var signedOut = await anonymous.NewPageAsync();
        var redirect = await signedOut.GotoAsync(fixture.Issuer + "/ui/account/passkeys");
        Assert.StartsWith(fixture.Issuer + "/ui/login?return=%2Fui%2Faccount%2Fpasskeys", signedOut.Url, StringComparison.Ordinal);
        Assert.NotNull(redirect);

        await RemoveAlicesPasskeysAsync();
        await using var context = await fixture.NewContextAsync();
        var page = await SignInWithPasswordAsync(context);
        await AddVirtualAuthenticatorAsync(context, page);
        await page.GotoAsync(fixture.Issuer + "/ui/account/passkeys");
        await page.ClickAsync("#passkey-add");
        var item = page.Locator("#passkey-list li").First;
        await item.WaitForAsync();
        var id = await item.GetAttributeAsync("data-id");

        await item.Locator("input[name=name]").FillAsync("Renamed in Chromium");
        await item.GetByRole(AriaRole.Button, new() { Name = "Rename" }).ClickAsync();
        await page.Locator($"#passkey-list li[data-id='{id}']", new() { HasText = "Renamed in Chromium" }).WaitForAsync();

        await page.Locator($"#passkey-list li[data-id='{id}']").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        // The URL is the same before and after the delete: wait for the entry to leave the page, not for the URL.
        await page.Locator($"li[data-id='{id}']").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        Assert.Equal(fixture.Issuer + "/ui/account/passkeys", page.Url);
        Assert.Equal(0, await page.Locator($"li[data-id='{id}']").CountAsync());
    }

    [Fact]
    public async Task the_passkey_button_signs_in_through_the_flows_api_and_sets_the_sso_cookie()
    {
        await RemoveAlicesPasskeysAsync();
        await using var context = await fixture.NewContextAsync();
        var page = await SignInWithPasswordAsync(context);
        await AddVirtualAuthenticatorAsync(context, page);
        await page.GotoAsync(fixture.Issuer + "/ui/account/passkeys");
        await page.ClickAsync("#passkey-add");
        await page.Locator("#passkey-list li").First.WaitForAsync();

        // A fresh browser session: no cookie, the same authenticator. A page carrying the login page's passkey
        // button and continue address loads passkeys.js (what the hosted login page does once FLOWS renders it).
        await context.ClearCookiesAsync();
        await page.GotoAsync(fixture.Issuer + "/ui/assets/passkeys.js");
        var started = await fixture.Server.CountEventsAsync("session.started.v1");
        var answered = page.WaitForResponseAsync(r => r.Request.Method == "POST" && r.Url.EndsWith("/webauthn", StringComparison.Ordinal));
        await page.EvaluateAsync("""
            () => {
                document.body.innerHTML = '<main data-continue="/ui/account/passkeys"><p id="passkey-status"></p><button id="passkey-signin">Sign in with a passkey</button></main>';
                const script = document.createElement('script');
                script.src = '/ui/assets/passkeys.js';
                document.head.appendChild(script);
            }
            """);
        await page.Locator("#passkey-signin").WaitForAsync();
        await page.Locator("html[data-passkeys=ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.ClickAsync("#passkey-signin");

        var answer = await answered;
        Assert.Equal(200, answer.Status);
        Assert.Equal("cookie", await answer.Request.HeaderValueAsync("x-koderid-login"));
        // The script navigates once the answer is read; wait for the page it lands on rather than a load event.
        await page.Locator("#passkey-list").WaitForAsync();
        Assert.Equal(fixture.Issuer + "/ui/account/passkeys", page.Url);
        Assert.Single(await context.CookiesAsync([fixture.Issuer]), c => c.Name == "koderid_session");
        Assert.Equal(started + 1, await fixture.Server.CountEventsAsync("session.started.v1"));
    }

    [Fact]
    public async Task a_username_input_marked_for_webauthn_starts_a_conditional_passkey_request()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.Issuer + "/ui/assets/passkeys.js");
        var challenged = page.WaitForResponseAsync(r => r.Request.Method == "POST" && r.Url.EndsWith("/webauthn/challenge", StringComparison.Ordinal));

        await page.EvaluateAsync("""
            () => {
                document.body.innerHTML = '<main data-continue="/"><label for="u">Username</label><input id="u" autocomplete="username webauthn"></main>';
                const script = document.createElement('script');
                script.src = '/ui/assets/passkeys.js';
                document.head.appendChild(script);
            }
            """);

        var challenge = await challenged;
        Assert.Equal(200, challenge.Status);
        var options = JsonDocument.Parse(await challenge.TextAsync()).RootElement.GetProperty("publicKey");
        Assert.Equal("acme.localhost", options.GetProperty("rpId").GetString());
        Assert.Equal(0, options.GetProperty("allowCredentials").GetArrayLength());
    }

    /// <summary>The fixture's server is shared by the Chromium classes: each test starts with alice holding no passkey.</summary>
    private async Task RemoveAlicesPasskeysAsync()
    {
        await using var scope = fixture.Server.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<RequestContext>().Actor = "test";
        var passkeys = await scope.ServiceProvider.GetRequiredService<KoderId.Projections.Passkeys.PasskeyDirectory>().ListForUserAsync("acme", fixture.UserId);
        foreach (var passkey in passkeys)
        {
            await scope.ServiceProvider.GetRequiredService<Mediator.IMediator>().Send(new RemovePasskey("acme", fixture.UserId, passkey.CredentialId, "admin"));
        }
    }

    private async Task<IPage> SignInWithPasswordAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{fixture.Rp.Origin}/a/");
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Issuer}/ui/login?**");
        await page.GetByLabel("Username or email").FillAsync("alice");
        await page.GetByLabel("Password").FillAsync(ChromiumFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await ChromiumFixture.ArriveAsync(page, $"{fixture.Rp.Origin}/a/");
        return page;
    }

    private static async Task<VirtualAuthenticator> AddVirtualAuthenticatorAsync(IBrowserContext context, IPage page)
    {
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable", new Dictionary<string, object> { ["enableUI"] = false });
        var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
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
        return new VirtualAuthenticator(cdp, added!.Value.GetProperty("authenticatorId").GetString()!);
    }

    private async Task<(FactorContext Context, JsonObject Options)> BeginAsync(string tenantId, string? userId, string origin)
    {
        var context = new FactorContext(tenantId, userId, Guid.NewGuid().ToString("N"), null, origin);
        var challenge = await InFactorAsync(f => f.BeginAsync(context, default).AsTask());
        return (context with { State = challenge.State }, challenge.Public!["publicKey"]!.AsObject());
    }

    private Task<FactorOutcome> VerifyAsync(FactorContext context, string credentialJson) =>
        InFactorAsync(f => f.VerifyAsync(context, JsonDocument.Parse($$"""{"credential":{{credentialJson}}}""").RootElement, default).AsTask());

    private async Task<T> InFactorAsync<T>(Func<IAuthenticationFactor, Task<T>> use)
    {
        await using var scope = fixture.Server.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<RequestContext>().Actor = "anonymous";
        var factor = scope.ServiceProvider.GetServices<IAuthenticationFactor>().Single(f => f.Step == "webauthn");
        return await use(factor);
    }

    private sealed record VirtualAuthenticator(ICDPSession Session, string Id)
    {
        public Task<JsonElement?> SendAsync(string method, Dictionary<string, object> args) => Session.SendAsync(method, args);
    }
}
