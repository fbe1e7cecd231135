using System.Net;
using System.Text;
using System.Text.Json;
using KoderId.Oidc.Tests.Clients;

namespace KoderId.Oidc.Tests.Conformance.Basic;

/// <summary>ADR 0006: every path that authenticates honours the lock, the token endpoint's user grants and the hosted login page included.</summary>
public sealed class LockedUserGrantTests : IAsyncLifetime
{
    private OidcHost _host = null!;

    public async Task InitializeAsync() => _host = await OidcHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task LockAliceAsync()
    {
        for (var i = 0; i < 5; i++)
        {
            using var start = await PostAsync("/v1/auth/flows", JsonSerializer.Serialize(new { username = "alice" }));
            var id = JsonDocument.Parse(await start.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
            using var wrong = await PostAsync($"/v1/auth/flows/{id}/password", JsonSerializer.Serialize(new { password = "not alice's password" }));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
    }

    private Task<HttpResponseMessage> PostAsync(string path, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Tenant-ID", "acme");
        return _host.Host.Api.Anonymous.SendAsync(request);
    }

    [Fact]
    public async Task a_locked_user_cannot_refresh_until_an_admin_unlocks()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        var redirect = await _host.SignInAsync(browser, challenge);
        var tokens = await _host.RedeemAsync(redirect["code"], verifier);

        await LockAliceAsync();

        using var refresh = await _host.TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.GetProperty("refresh_token").GetString()! });
        await ClientHost.OAuthErrorAsync(refresh, HttpStatusCode.BadRequest, "invalid_grant", "KID1301");

        await _host.Host.Api.OkAsync(HttpMethod.Post, $"/v1/users/{_host.UserId}/unlock", "acme");
        using var again = await _host.TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.GetProperty("refresh_token").GetString()! });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task a_locked_user_cannot_sign_in_on_the_hosted_page_with_the_right_password()
    {
        await LockAliceAsync();
        using var browser = _host.Browser();

        using var authorize = await browser.GetAsync(_host.AuthorizeUrl(OidcHost.Pkce().Challenge));
        var location = await OidcHost.PostLoginAsync(browser, authorize.Headers.Location!.ToString(), "alice", OidcHost.Password);

        Assert.StartsWith("/ui/login?", location, StringComparison.Ordinal);
        Assert.Contains("e=1", location, StringComparison.Ordinal);
    }
}
