using System.Net;

namespace KoderId.Oidc.Tests.Conformance.Basic;

/// <summary>A third-party client asks the user once; the approval is remembered; prompt=consent asks again; Deny is access_denied.</summary>
public sealed class ConsentTests : IAsyncLifetime
{
    private OidcHost _host = null!;
    private string _thirdParty = "";

    public async Task InitializeAsync()
    {
        _host = await OidcHost.StartAsync();
        (_thirdParty, _) = await _host.Host.CreateClientAsync("acme", new
        {
            name = "Partner <App>",
            redirectUris = new[] { OidcHost.RedirectUri },
            grantTypes = new[] { "authorization_code" },
            scopes = new[] { "openid", "email" },
            firstParty = false,
        });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private string Authorize(string extra = "") =>
        $"/oauth/v2/authorize?client_id={_thirdParty}&redirect_uri={Uri.EscapeDataString(OidcHost.RedirectUri)}&response_type=code&scope=openid%20email"
        + $"&state=s3&code_challenge={OidcHost.Pkce().Challenge}&code_challenge_method=S256{extra}";

    private static async Task<HttpResponseMessage> DecideAsync(HttpClient browser, string consentPath, string decision)
    {
        var page = await browser.GetStringAsync(consentPath);
        Assert.Contains("Partner &lt;App&gt;", page, StringComparison.Ordinal);
        Assert.Contains("See your email address", page, StringComparison.Ordinal);
        return await browser.PostAsync("/ui/consent", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__csrf"] = OidcHost.Hidden(page, "__csrf"),
            ["ar"] = OidcHost.Hidden(page, "ar"),
            ["decision"] = decision,
        }));
    }

    private async Task<string> SignInToConsentAsync(HttpClient browser)
    {
        using var authorize = await browser.GetAsync(Authorize());
        var resumed = await OidcHost.PostLoginAsync(browser, authorize.Headers.Location!.ToString(), "alice", OidcHost.Password);
        using var toConsent = await browser.GetAsync(resumed);
        Assert.Equal(HttpStatusCode.SeeOther, toConsent.StatusCode);
        var consent = toConsent.Headers.Location!.ToString();
        Assert.StartsWith("/ui/consent?ar=", consent, StringComparison.Ordinal);
        return consent;
    }

    [Fact]
    public async Task an_approval_is_asked_once_and_remembered_until_prompt_consent()
    {
        using var browser = _host.Browser();
        var consent = await SignInToConsentAsync(browser);

        using var allowed = await DecideAsync(browser, consent, "allow");
        Assert.Equal(HttpStatusCode.SeeOther, allowed.StatusCode);
        Assert.True(OidcHost.Query(allowed.Headers.Location!).ContainsKey("code"));

        using var again = await browser.GetAsync(Authorize());
        Assert.StartsWith(OidcHost.RedirectUri, again.Headers.Location!.ToString(), StringComparison.Ordinal);

        using var forced = await browser.GetAsync(Authorize("&prompt=consent"));
        Assert.StartsWith("/ui/consent?ar=", forced.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task deny_returns_access_denied_with_state_and_iss()
    {
        using var browser = _host.Browser();
        var consent = await SignInToConsentAsync(browser);

        using var denied = await DecideAsync(browser, consent, "deny");

        var query = OidcHost.Query(denied.Headers.Location!);
        Assert.Equal("access_denied", query["error"]);
        Assert.Equal("s3", query["state"]);
        Assert.Equal(OidcHost.Issuer, query["iss"]);
    }

    [Fact]
    public async Task prompt_none_for_a_client_never_approved_is_consent_required()
    {
        using var browser = _host.Browser();
        await _host.SignInAsync(browser, OidcHost.Pkce().Challenge);

        using var silent = await browser.GetAsync(Authorize("&prompt=none"));

        Assert.Equal("consent_required", OidcHost.Query(silent.Headers.Location!)["error"]);
    }
}
