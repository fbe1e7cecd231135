using System.Net;
using System.Text;
using System.Text.Json;
using KoderId.Application.Common;
using KoderId.Domain.Users;
using KoderId.Oidc.Common;
using KoderId.Oidc.Tests.Clients;
using KoderId.Oidc.Tests.Conformance;
using KoderId.Projections.Sessions;
using KoderId.Server.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Tests.Sessions;

/// <summary>
/// ADR 0008 end to end: disabling, deleting or erasing a user ends its sessions (listed as revoked with the reason),
/// its refresh tokens, what introspection and userinfo say of its access tokens, and its SSO cookie at
/// <c>/authorize</c> and <c>/ui/account</c>; undoing it revives nothing. A lock refuses the cookie until the unlock.
/// </summary>
public sealed class AccountStatusTests : IAsyncLifetime
{
    private const string UserInfo = OidcHost.Issuer + "/oidc/v1/userinfo";
    private OidcHost _host = null!;

    public async Task InitializeAsync() => _host = await OidcHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string> Hows => new() { "disable", "delete", "erase" };

    private static string ReasonOf(string how) => how switch
    {
        "disable" => "user-disabled",
        "delete" => "user-deleted",
        _ => "user-erased",
    };

    private async Task EndAsync(string how)
    {
        var (method, path) = how switch
        {
            "disable" => (HttpMethod.Post, $"/v1/users/{_host.UserId}/disable"),
            "delete" => (HttpMethod.Delete, $"/v1/users/{_host.UserId}"),
            _ => (HttpMethod.Post, $"/v1/users/{_host.UserId}/erase"),
        };
        var ended = await _host.Host.Api.OkAsync(method, path, "acme");
        Assert.Equal(how switch { "disable" => "disabled", "delete" => "deleted", _ => "erased" }, ended.GetProperty("status").GetString());
    }

    /// <summary>The status event alone, as if the server stopped between the append and the revocation.</summary>
    private async Task AppendStatusOnlyAsync(string how)
    {
        await using var scope = _host.Host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<RequestContext>().Actor = "crash-test";
        await scope.ServiceProvider.GetRequiredService<AggregateStore>().DecideAsync(
            Aggregates.User, "acme", StreamNames.User("acme", _host.UserId), s => how switch
            {
                "disable" => User.Disable(s),
                "delete" => User.Delete(s),
                _ => User.Erase(s),
            });
    }

    private Task<SessionView?> SessionAsync(string sid) => _host.Host.Services.GetRequiredService<SessionDirectory>().GetAsync("acme", sid);

    private static string Sid(JsonElement tokens) => OidcHost.Payload(tokens.GetProperty("access_token").GetString()!).GetProperty("sid").GetString()!;

    private async Task<Dictionary<string, string>> SilentAuthorizeAsync(HttpClient browser)
    {
        using var response = await browser.GetAsync(_host.AuthorizeUrl(OidcHost.Pkce().Challenge, extra: "&prompt=none"));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.StartsWith(OidcHost.RedirectUri, response.Headers.Location!.ToString(), StringComparison.Ordinal);
        return OidcHost.Query(response.Headers.Location!);
    }

    /// <summary>Everything the user held refuses it: the cookie (silent and interactive, account pages), the refresh token, introspection, userinfo.</summary>
    private async Task AssertNothingWorksAsync(HttpClient browser, JsonElement tokens, string refreshCode, string userInfoCode)
    {
        var silent = await SilentAuthorizeAsync(browser);
        Assert.Equal("login_required", silent["error"]);
        Assert.Equal("st-1", silent["state"]);
        Assert.False(silent.ContainsKey("code"));

        using (var interactive = await browser.GetAsync(_host.AuthorizeUrl(OidcHost.Pkce().Challenge)))
        {
            Assert.Equal(HttpStatusCode.SeeOther, interactive.StatusCode);
            Assert.StartsWith("/ui/login?ar=", interactive.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        using (var account = await browser.GetAsync("/ui/account"))
        {
            Assert.Equal(HttpStatusCode.SeeOther, account.StatusCode);
            Assert.StartsWith("/ui/login?return=", account.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        using (var page = await browser.GetAsync("/ui/login?return=%2Fui%2Faccount"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("name=\"password\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var refresh = tokens.GetProperty("refresh_token").GetString()!;
        using (var refreshed = await _host.RefreshAsync(refresh))
        {
            await ClientHost.OAuthErrorAsync(refreshed, HttpStatusCode.BadRequest, "invalid_grant", refreshCode);
        }

        var access = tokens.GetProperty("access_token").GetString()!;
        Assert.Equal("""{"active":false}""", (await _host.IntrospectJsonAsync(access)).GetRawText());
        Assert.Equal("""{"active":false}""", (await _host.IntrospectJsonAsync(refresh, hint: "refresh_token")).GetRawText());

        using var userInfo = await _host.BearerAsync(HttpMethod.Get, UserInfo, access);
        Assert.Equal(HttpStatusCode.Unauthorized, userInfo.StatusCode);
        var challenge = userInfo.Headers.WwwAuthenticate.ToString();
        Assert.StartsWith("Bearer error=\"invalid_token\"", challenge, StringComparison.Ordinal);
        Assert.Contains($"({userInfoCode})", challenge, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hows))]
    public async Task ending_an_account_ends_every_session_token_and_cookie_it_holds_and_undoing_it_revives_none(string how)
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        using var _ = browser;
        var (other, otherTokens) = await _host.SignInForTokensAsync();
        using var __ = other;
        Assert.True((await SilentAuthorizeAsync(browser)).ContainsKey("code"));

        await EndAsync(how);

        foreach (var sid in new[] { Sid(tokens), Sid(otherTokens) })
        {
            var session = await SessionAsync(sid);
            Assert.NotNull(session!.RevokedAt);
            Assert.Equal(ReasonOf(how), session.RevokeReason);
        }

        Assert.Empty((await _host.Host.Api.OkAsync(HttpMethod.Get, $"/v1/users/{_host.UserId}/sessions", "acme")).GetProperty("items").EnumerateArray());
        await AssertNothingWorksAsync(browser, tokens, "KID1233", EndpointErrors.BearerSessionEnded);
        await AssertNothingWorksAsync(other, otherTokens, "KID1233", EndpointErrors.BearerSessionEnded);

        // Undo what can be undone: the user may sign in again, but nothing from before counts.
        if (how == "erase")
        {
            using var restore = await _host.Host.Api.SendAsync(HttpMethod.Post, $"/v1/users/{_host.UserId}/restore", "acme");
            await ApiHost.ProblemAsync(restore, HttpStatusCode.Gone, "KID1013");
        }
        else
        {
            await _host.Host.Api.OkAsync(HttpMethod.Post, $"/v1/users/{_host.UserId}/{(how == "disable" ? "enable" : "restore")}", "acme");
        }

        await AssertNothingWorksAsync(browser, tokens, "KID1233", EndpointErrors.BearerSessionEnded);
        Assert.Equal(ReasonOf(how), (await SessionAsync(Sid(tokens)))!.RevokeReason);
    }

    [Theory]
    [MemberData(nameof(Hows))]
    public async Task a_crash_between_the_status_and_the_revocation_leaves_every_session_refused_on_use(string how)
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        using var _ = browser;

        await AppendStatusOnlyAsync(how);

        Assert.Null((await SessionAsync(Sid(tokens)))!.RevokedAt);
        await AssertNothingWorksAsync(browser, tokens, "KID1302", EndpointErrors.BearerUserInactive);
        Assert.Null((await SessionAsync(Sid(tokens)))!.RevokedAt);
    }

    [Fact]
    public async Task enabling_after_a_crash_between_disable_and_revocation_revokes_the_leftover_session_first()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        using var _ = browser;
        await AppendStatusOnlyAsync("disable");

        await _host.Host.Api.OkAsync(HttpMethod.Post, $"/v1/users/{_host.UserId}/enable", "acme");

        Assert.Equal("user-disabled", (await SessionAsync(Sid(tokens)))!.RevokeReason);
        await AssertNothingWorksAsync(browser, tokens, "KID1233", EndpointErrors.BearerSessionEnded);
    }

    [Fact]
    public async Task a_locked_user_s_sso_cookie_is_refused_at_authorize_and_the_account_pages_until_the_unlock()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        using var _ = browser;

        await LockAliceAsync();

        Assert.Equal("login_required", (await SilentAuthorizeAsync(browser))["error"]);
        using (var interactive = await browser.GetAsync(_host.AuthorizeUrl(OidcHost.Pkce().Challenge)))
        {
            Assert.StartsWith("/ui/login?ar=", interactive.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        using (var account = await browser.GetAsync("/ui/account"))
        {
            Assert.StartsWith("/ui/login?return=", account.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        // The lock ends nothing: the session stays, and a locked user can still sign out (the end-session page finds it).
        Assert.Null((await SessionAsync(Sid(tokens)))!.RevokedAt);
        using (var signOut = await browser.GetAsync($"/oidc/v1/end_session?client_id={_host.ClientId}"))
        {
            Assert.Contains("Sign out?", await signOut.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await _host.Host.Api.OkAsync(HttpMethod.Post, $"/v1/users/{_host.UserId}/unlock", "acme");

        Assert.True((await SilentAuthorizeAsync(browser)).ContainsKey("code"));
        using var page = await browser.GetAsync("/ui/account");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task ending_an_unknown_or_another_tenant_s_user_is_404_and_leaves_the_session_alone()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        using var _ = browser;

        using (var unknown = await _host.Host.Api.SendAsync(HttpMethod.Post, "/v1/users/no-such-user/disable", "acme"))
        {
            await ApiHost.ProblemAsync(unknown, HttpStatusCode.NotFound, "KID1011");
        }

        using (var malformed = await _host.Host.Api.SendAsync(HttpMethod.Delete, "/v1/users/bad%20id", "acme"))
        {
            await ApiHost.ProblemAsync(malformed, HttpStatusCode.NotFound, "KID1011");
        }

        using (var foreign = await _host.Host.Api.SendAsync(HttpMethod.Post, $"/v1/users/{_host.UserId}/erase", "globex"))
        {
            await ApiHost.ProblemAsync(foreign, HttpStatusCode.NotFound, "KID1011");
        }

        Assert.Null((await SessionAsync(Sid(tokens)))!.RevokedAt);
        Assert.True((await SilentAuthorizeAsync(browser)).ContainsKey("code"));
    }

    private async Task LockAliceAsync()
    {
        for (var i = 0; i < 5; i++)
        {
            using var start = await PostFlowAsync("/v1/auth/flows", JsonSerializer.Serialize(new { username = "alice" }));
            var id = JsonDocument.Parse(await start.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
            using var wrong = await PostFlowAsync($"/v1/auth/flows/{id}/password", JsonSerializer.Serialize(new { password = "not alice's password" }));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
    }

    private Task<HttpResponseMessage> PostFlowAsync(string path, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Tenant-ID", "acme");
        return _host.Host.Api.Anonymous.SendAsync(request);
    }
}

/// <summary>The user is disabled between the cookie check and the code (a race made deterministic by a cookie check that forgets the user).</summary>
public sealed class AccountStatusRaceTests : IAsyncLifetime
{
    private OidcHost _host = null!;

    public async Task InitializeAsync() => _host = await OidcHost.StartAsync(services: s =>
    {
        s.AddScoped<KoderId.Oidc.Sessions.SsoSessions>();
        s.AddScoped<KoderId.Oidc.Authorize.ISsoSessions>(sp => new UserBlindSessions(sp.GetRequiredService<KoderId.Oidc.Sessions.SsoSessions>()));
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task a_user_disabled_after_the_cookie_check_gets_login_required_not_a_code_or_an_error_page()
    {
        var (browser, _) = await _host.SignInForTokensAsync();
        using var _ = browser;
        await using (var scope = _host.Host.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<RequestContext>().Actor = "race-test";
            await scope.ServiceProvider.GetRequiredService<AggregateStore>().DecideAsync(
                Aggregates.User, "acme", StreamNames.User("acme", _host.UserId), s => User.Disable(s));
        }

        using (var silent = await browser.GetAsync(_host.AuthorizeUrl(OidcHost.Pkce().Challenge, extra: "&prompt=none")))
        {
            Assert.Equal(HttpStatusCode.SeeOther, silent.StatusCode);
            var query = OidcHost.Query(silent.Headers.Location!);
            Assert.Equal("login_required", query["error"]);
            Assert.False(query.ContainsKey("code"));
        }

        using var interactive = await browser.GetAsync(_host.AuthorizeUrl(OidcHost.Pkce().Challenge));
        Assert.Equal(HttpStatusCode.SeeOther, interactive.StatusCode);
        Assert.StartsWith("/ui/login?ar=", interactive.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Answers every cookie as the pre-ADR 0008 check did: without looking at the user.</summary>
    private sealed class UserBlindSessions(KoderId.Oidc.Sessions.SsoSessions inner) : KoderId.Oidc.Authorize.ISsoSessions
    {
        public ValueTask<KoderId.Oidc.Authorize.SsoSession?> FindAsync(string tenantId, string cookieValue, CancellationToken ct) => inner.FindToEndAsync(tenantId, cookieValue, ct);

        public ValueTask<KoderId.Oidc.Authorize.SsoSession?> FindToEndAsync(string tenantId, string cookieValue, CancellationToken ct) => inner.FindToEndAsync(tenantId, cookieValue, ct);

        public ValueTask<(KoderId.Oidc.Authorize.SsoSession Session, string CookieValue)> StartAsync(
            string tenantId, string userId, IReadOnlyList<string> authMethods, string acr, CancellationToken ct) => inner.StartAsync(tenantId, userId, authMethods, acr, ct);

        public ValueTask RevokeAsync(string tenantId, string sessionId, string reason, CancellationToken ct) => inner.RevokeAsync(tenantId, sessionId, reason, ct);
    }
}
