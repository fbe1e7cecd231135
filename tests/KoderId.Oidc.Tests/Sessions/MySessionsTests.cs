using System.Net;
using System.Text.Json;
using KoderId.Oidc.Common;
using KoderId.Oidc.Tests.Clients;
using KoderId.Oidc.Tests.Conformance;
using KoderId.Server.Tests.Api;

namespace KoderId.Oidc.Tests.Sessions;

/// <summary>
/// <c>/v1/sessions</c> with the user's access token, and the ADR 0004 promise: a revoked session's access tokens
/// are inactive at introspection and userinfo at once, and its refresh tokens fail.
/// </summary>
public sealed class MySessionsTests : IAsyncLifetime
{
    private const string Sessions = OidcHost.Issuer + "/v1/sessions";
    private const string UserInfo = OidcHost.Issuer + "/oidc/v1/userinfo";
    private OidcHost _host = null!;

    public async Task InitializeAsync() => _host = await OidcHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task the_user_lists_their_active_sessions_and_the_current_one_is_marked()
    {
        var first = await SignInAsync();
        var second = await SignInAsync();

        using var response = await _host.BearerAsync(HttpMethod.Get, Sessions, second.Access);

        var items = (await ClientHost.JsonAsync(response, HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(2, items.Length);
        var current = Assert.Single(items, i => i.GetProperty("current").GetBoolean());
        Assert.Equal(second.Sid, current.GetProperty("id").GetString());
        Assert.Contains(items, i => i.GetProperty("id").GetString() == first.Sid);
        Assert.True(current.TryGetProperty("createdAt", out _));
        Assert.True(current.TryGetProperty("lastUsedAt", out _));
        Assert.True(current.TryGetProperty("expiresAt", out _));
        Assert.False(current.TryGetProperty("secretHash", out _));
    }

    [Fact]
    public async Task deleting_one_session_ends_its_tokens_at_once_and_leaves_the_others()
    {
        var first = await SignInAsync();
        var second = await SignInAsync();

        using (var deleted = await _host.BearerAsync(HttpMethod.Delete, $"{Sessions}/{first.Sid}", second.Access))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await AssertEndedAsync(first);
        Assert.True(await _host.IsActiveAsync(second.Access));
    }

    [Fact]
    public async Task sign_out_everywhere_ends_every_session_and_its_tokens()
    {
        var first = await SignInAsync();
        var second = await SignInAsync();

        using (var deleted = await _host.BearerAsync(HttpMethod.Delete, Sessions, second.Access))
        {
            var body = await ClientHost.JsonAsync(deleted, HttpStatusCode.OK);
            Assert.Equal(2, body.GetProperty("revoked").GetArrayLength());
        }

        await AssertEndedAsync(first);
        await AssertEndedAsync(second);
        using var list = await _host.BearerAsync(HttpMethod.Get, Sessions, second.Access);
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
    }

    [Fact]
    public async Task an_admin_revoking_a_session_ends_its_tokens_at_once()
    {
        var signedIn = await SignInAsync();
        Assert.True(await _host.IsActiveAsync(signedIn.Access));

        using (var deleted = await _host.Host.Api.SendAsync(HttpMethod.Delete, $"/v1/users/{_host.UserId}/sessions/{signedIn.Sid}", "acme"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await AssertEndedAsync(signedIn);
    }

    [Fact]
    public async Task another_users_or_an_unknown_session_is_not_found()
    {
        var alice = await SignInAsync();
        var bob = await _host.Host.Api.OkAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "bob", email = "bob@example.com" }, expected: HttpStatusCode.Created);
        var bobId = bob.GetProperty("id").GetString()!;
        using (var set = await _host.Host.Api.SendAsync(HttpMethod.Put, $"/v1/users/{bobId}/password", "acme", new { password = OidcHost.Password }))
        {
            Assert.True(set.IsSuccessStatusCode);
        }

        var bobSession = await SignInAsync("bob");

        using (var other = await _host.BearerAsync(HttpMethod.Delete, $"{Sessions}/{bobSession.Sid}", alice.Access))
        {
            await ApiHost.ProblemAsync(other, HttpStatusCode.NotFound, "KID1230");
        }

        using (var unknown = await _host.BearerAsync(HttpMethod.Delete, $"{Sessions}/0197a3f2c1d47c3e9b5a2f6d8e0c1b2a", alice.Access))
        {
            await ApiHost.ProblemAsync(unknown, HttpStatusCode.NotFound, "KID1230");
        }

        using (var malformed = await _host.BearerAsync(HttpMethod.Delete, $"{Sessions}/not-a-session", alice.Access))
        {
            await ApiHost.ProblemAsync(malformed, HttpStatusCode.NotFound, "KID1230");
        }

        Assert.True(await _host.IsActiveAsync(bobSession.Access));
    }

    [Fact]
    public async Task acmes_token_and_session_are_nothing_at_globex()
    {
        var alice = await SignInAsync();

        using (var list = await _host.BearerAsync(HttpMethod.Get, OidcHost.GlobexIssuer + "/v1/sessions", alice.Access))
        {
            await ApiHost.ProblemAsync(list, HttpStatusCode.Unauthorized, "KID2122");
        }

        using (var delete = await _host.BearerAsync(HttpMethod.Delete, $"{OidcHost.GlobexIssuer}/v1/sessions/{alice.Sid}", alice.Access))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
        }

        var gina = await _host.GlobexUserTokenAsync();
        using (var ginaList = await _host.BearerAsync(HttpMethod.Get, OidcHost.GlobexIssuer + "/v1/sessions", gina))
        {
            var items = (await ClientHost.JsonAsync(ginaList, HttpStatusCode.OK)).GetProperty("items");
            Assert.Equal(1, items.GetArrayLength());
            Assert.NotEqual(alice.Sid, items[0].GetProperty("id").GetString());
        }

        using (var cross = await _host.BearerAsync(HttpMethod.Delete, $"{OidcHost.GlobexIssuer}/v1/sessions/{alice.Sid}", gina))
        {
            await ApiHost.ProblemAsync(cross, HttpStatusCode.NotFound, "KID1230");
        }

        using (var ginaAtAcme = await _host.BearerAsync(HttpMethod.Get, OidcHost.Issuer + "/oidc/v1/userinfo", gina))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, ginaAtAcme.StatusCode);
        }

        Assert.True(await _host.IsActiveAsync(alice.Access));
    }

    [Fact]
    public async Task only_a_users_access_token_is_accepted()
    {
        using (var none = await _host.BearerAsync(HttpMethod.Get, Sessions, bearer: null))
        {
            await ApiHost.ProblemAsync(none, HttpStatusCode.Unauthorized, EndpointErrors.BearerMissing);
            Assert.Equal("Bearer", none.Headers.WwwAuthenticate.ToString());
        }

        using (var key = await _host.BearerAsync(HttpMethod.Get, Sessions, await _host.Host.CreateKeyAsync("acme", "users:read")))
        {
            await ApiHost.ProblemAsync(key, HttpStatusCode.Unauthorized, "KID2120");
        }

        using (var admin = await _host.BearerAsync(HttpMethod.Get, Sessions, ApiHost.AdminKey))
        {
            await ApiHost.ProblemAsync(admin, HttpStatusCode.Unauthorized, "KID2120");
        }

        using (var client = await _host.BearerAsync(HttpMethod.Get, Sessions, await _host.ClientCredentialsTokenAsync()))
        {
            await ApiHost.ProblemAsync(client, HttpStatusCode.Unauthorized, EndpointErrors.BearerNotUserToken);
        }

        var alice = await SignInAsync();
        using var query = await _host.BearerAsync(HttpMethod.Get, Sessions + "?access_token=" + alice.Access, bearer: null);
        await ApiHost.ProblemAsync(query, HttpStatusCode.BadRequest, EndpointErrors.BearerInvalidRequest);
    }

    private async Task AssertEndedAsync(SignedIn signedIn)
    {
        Assert.Equal("""{"active":false}""", (await _host.IntrospectJsonAsync(signedIn.Access)).GetRawText());
        Assert.Equal("""{"active":false}""", (await _host.IntrospectJsonAsync(signedIn.Refresh)).GetRawText());
        using (var userinfo = await _host.BearerAsync(HttpMethod.Get, UserInfo, signedIn.Access))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, userinfo.StatusCode);
            Assert.Contains($"({EndpointErrors.BearerSessionEnded})", userinfo.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using var refreshed = await _host.RefreshAsync(signedIn.Refresh);
        var error = await ClientHost.JsonAsync(refreshed, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_grant", error.GetProperty("error").GetString());
    }

    private async Task<SignedIn> SignInAsync(string username = "alice")
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        using var authorize = await browser.GetAsync(_host.AuthorizeUrl(challenge));
        var location = await OidcHost.PostLoginAsync(browser, authorize.Headers.Location!.ToString(), username, OidcHost.Password);
        using var resumed = await browser.GetAsync(location);
        var tokens = await _host.RedeemAsync(OidcHost.Query(resumed.Headers.Location!)["code"], verifier);
        var access = tokens.GetProperty("access_token").GetString()!;
        return new SignedIn(access, tokens.GetProperty("refresh_token").GetString()!, OidcHost.Payload(access).GetProperty("sid").GetString()!);
    }

    private sealed record SignedIn(string Access, string Refresh, string Sid);
}
