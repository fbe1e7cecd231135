using System.Net;
using KoderId.Oidc.Tests.Clients;

namespace KoderId.Oidc.Tests.Conformance.Basic;

/// <summary>The OpenID Foundation Basic plan's happy path and its code-flow checks, through the real host.</summary>
public sealed class CodeFlowTests : IAsyncLifetime
{
    private OidcHost _host = null!;

    public async Task InitializeAsync() => _host = await OidcHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task a_user_signs_in_and_the_code_is_redeemed_for_access_id_and_refresh_tokens()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();

        var redirect = await _host.SignInAsync(browser, challenge);

        Assert.Equal("st-1", redirect["state"]);
        Assert.Equal(OidcHost.Issuer, redirect["iss"]);
        var tokens = await _host.RedeemAsync(redirect["code"], verifier);
        Assert.Equal("Bearer", tokens.GetProperty("token_type").GetString());
        Assert.Equal(900, tokens.GetProperty("expires_in").GetInt32());
        Assert.True(tokens.TryGetProperty("refresh_token", out _));

        var access = tokens.GetProperty("access_token").GetString()!;
        Assert.Equal("at+jwt", OidcHost.Header(access).GetProperty("typ").GetString());
        Assert.Equal("ES256", OidcHost.Header(access).GetProperty("alg").GetString());
        var at = OidcHost.Payload(access);
        Assert.Equal(OidcHost.Issuer, at.GetProperty("iss").GetString());
        Assert.Equal(_host.UserId, at.GetProperty("sub").GetString());
        Assert.Equal(_host.ClientId, at.GetProperty("client_id").GetString());
        Assert.Equal("acme", at.GetProperty("tid").GetString());
        Assert.False(string.IsNullOrEmpty(at.GetProperty("sid").GetString()));
        Assert.Equal(JsonValueKindArray, at.GetProperty("roles").ValueKind);

        var id = OidcHost.Payload(tokens.GetProperty("id_token").GetString()!);
        Assert.Equal("RS256", OidcHost.Header(tokens.GetProperty("id_token").GetString()!).GetProperty("alg").GetString());
        Assert.Equal(_host.ClientId, id.GetProperty("aud").GetString());
        Assert.Equal("n-1", id.GetProperty("nonce").GetString());
        Assert.Equal(KoderId.Oidc.Token.TokenIssuer.AtHash(access), id.GetProperty("at_hash").GetString());
        Assert.Equal(at.GetProperty("sid").GetString(), id.GetProperty("sid").GetString());
        Assert.Equal("pwd", id.GetProperty("amr")[0].GetString());
        Assert.True(id.TryGetProperty("auth_time", out _));
        Assert.True(id.TryGetProperty("acr", out _));
        Assert.Equal("alice@example.com", id.GetProperty("email").GetString());
    }

    [Fact]
    public async Task a_second_client_authorization_reuses_the_sso_session_without_a_prompt()
    {
        using var browser = _host.Browser();
        var (_, challenge) = OidcHost.Pkce();
        await _host.SignInAsync(browser, challenge);

        var (_, second) = OidcHost.Pkce();
        using var again = await browser.GetAsync(_host.AuthorizeUrl(second, state: "st-2"));

        Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
        var query = OidcHost.Query(again.Headers.Location!);
        Assert.StartsWith(OidcHost.RedirectUri, again.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal("st-2", query["state"]);
        Assert.True(query.ContainsKey("code"));
    }

    [Fact]
    public async Task a_wrong_password_returns_to_the_login_page_with_a_generic_error()
    {
        using var browser = _host.Browser();
        var (_, challenge) = OidcHost.Pkce();
        using var authorize = await browser.GetAsync(_host.AuthorizeUrl(challenge));

        var location = await OidcHost.PostLoginAsync(browser, authorize.Headers.Location!.ToString(), "alice", "not the password at all");

        Assert.StartsWith("/ui/login?", location, StringComparison.Ordinal);
        var page = await browser.GetStringAsync(location);
        Assert.Contains("Incorrect username or password", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task prompt_none_without_a_session_redirects_login_required_with_state_and_iss()
    {
        using var browser = _host.Browser();
        var (_, challenge) = OidcHost.Pkce();

        using var response = await browser.GetAsync(_host.AuthorizeUrl(challenge, extra: "&prompt=none"));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var query = OidcHost.Query(response.Headers.Location!);
        Assert.Equal("login_required", query["error"]);
        Assert.Equal("st-1", query["state"]);
        Assert.Equal(OidcHost.Issuer, query["iss"]);
    }

    [Fact]
    public async Task a_code_is_single_use_and_its_reuse_revokes_the_refresh_token_it_issued()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        var redirect = await _host.SignInAsync(browser, challenge);
        var first = await _host.RedeemAsync(redirect["code"], verifier);

        using var second = await _host.TokenAsync(new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = redirect["code"],
            ["redirect_uri"] = OidcHost.RedirectUri,
            ["code_verifier"] = verifier,
        });
        await ClientHost.OAuthErrorAsync(second, HttpStatusCode.BadRequest, "invalid_grant", "KID1236");

        using var refresh = await _host.TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = first.GetProperty("refresh_token").GetString()! });
        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
    }

    [Fact]
    public async Task a_refresh_rotates_the_token_and_the_old_one_then_revokes_the_family()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        var redirect = await _host.SignInAsync(browser, challenge);
        var tokens = await _host.RedeemAsync(redirect["code"], verifier);
        var old = tokens.GetProperty("refresh_token").GetString()!;

        using var rotated = await _host.TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = old });
        var next = await ClientHost.JsonAsync(rotated, HttpStatusCode.OK);
        Assert.Equal("no-store", rotated.Headers.CacheControl?.ToString());
        var newer = next.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(old, newer);
        Assert.False(OidcHost.Payload(next.GetProperty("id_token").GetString()!).TryGetProperty("nonce", out _));

        using var replay = await _host.TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = old });
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        using var afterReplay = await _host.TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = newer });
        Assert.Equal(HttpStatusCode.BadRequest, afterReplay.StatusCode);
    }

    [Fact]
    public async Task client_credentials_issues_an_access_token_and_appends_nothing()
    {
        // The tenant's first signature creates its keys (once, ever); after that issuing appends nothing.
        using (var warmUp = await _host.TokenAsync(new() { ["grant_type"] = "client_credentials" }))
        {
            Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
        }

        var head = await _host.Host.Api.HeadAsync();
        using var response = await _host.TokenAsync(new() { ["grant_type"] = "client_credentials", ["scope"] = "api" });
        var tokens = await ClientHost.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());

        var at = OidcHost.Payload(tokens.GetProperty("access_token").GetString()!);
        Assert.Equal(_host.ClientId, at.GetProperty("sub").GetString());
        Assert.Equal("api", at.GetProperty("scope").GetString());
        Assert.False(at.TryGetProperty("sid", out _));
        for (var i = 0; i < 20; i++)
        {
            using var again = await _host.TokenAsync(new() { ["grant_type"] = "client_credentials" });
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        Assert.Equal(head, await _host.Host.Api.HeadAsync());
    }

    [Fact]
    public async Task a_blocked_tenant_refuses_sign_in_and_token_refresh_until_unblocked()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        var redirect = await _host.SignInAsync(browser, challenge);
        var tokens = await _host.RedeemAsync(redirect["code"], verifier);
        await _host.Host.Api.OkAsync(HttpMethod.Post, "/v1/admin/tenants/acme/block", json: new { reason = "unpaid" });

        using var authorize = await browser.GetAsync(_host.AuthorizeUrl(OidcHost.Pkce().Challenge));
        Assert.Equal(HttpStatusCode.Forbidden, authorize.StatusCode);
        using var refresh = await _host.TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.GetProperty("refresh_token").GetString()! });
        await ClientHost.OAuthErrorAsync(refresh, HttpStatusCode.Forbidden, "unauthorized_client", "KID1003");
        using var machine = await _host.TokenAsync(new() { ["grant_type"] = "client_credentials" });
        Assert.Equal(HttpStatusCode.Forbidden, machine.StatusCode);
        using (var userinfo = new HttpRequestMessage(HttpMethod.Get, OidcHost.Issuer + "/oidc/v1/userinfo"))
        {
            userinfo.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
            using var blocked = await _host.Browser().SendAsync(userinfo);
            Assert.Equal(HttpStatusCode.Forbidden, blocked.StatusCode);
        }

        await _host.Host.Api.OkAsync(HttpMethod.Post, "/v1/admin/tenants/acme/unblock");
        using var again = await _host.TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.GetProperty("refresh_token").GetString()! });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindArray = System.Text.Json.JsonValueKind.Array;
}
