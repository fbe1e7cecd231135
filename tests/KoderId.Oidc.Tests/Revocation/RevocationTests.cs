using System.Net;
using KoderId.Oidc.Tests.Clients;
using KoderId.Oidc.Tests.Conformance;

namespace KoderId.Oidc.Tests.Revocation;

/// <summary>RFC 7009 through the real host: what each token revokes, and the 200 for everything else.</summary>
public sealed class RevocationTests : IAsyncLifetime
{
    private OidcHost _host = null!;

    public async Task InitializeAsync() => _host = await OidcHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task revoking_a_refresh_token_ends_its_family_and_the_access_tokens_it_issued()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        browser.Dispose();
        var access = tokens.GetProperty("access_token").GetString()!;
        var refresh = tokens.GetProperty("refresh_token").GetString()!;

        using var revoked = await _host.RevokeAsync(refresh, hint: "refresh_token");

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal("no-store", revoked.Headers.CacheControl?.ToString());
        Assert.False(await _host.IsActiveAsync(refresh));
        Assert.False(await _host.IsActiveAsync(access));
        using var refreshed = await _host.RefreshAsync(refresh);
        await ClientHost.OAuthErrorAsync(refreshed, HttpStatusCode.BadRequest, "invalid_grant", "KID1244");
    }

    [Fact]
    public async Task revoking_a_user_access_token_ends_the_refresh_family_it_came_from()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        browser.Dispose();
        var access = tokens.GetProperty("access_token").GetString()!;
        var refresh = tokens.GetProperty("refresh_token").GetString()!;

        using var revoked = await _host.RevokeAsync(access, hint: "access_token");

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.False(await _host.IsActiveAsync(access));
        Assert.False(await _host.IsActiveAsync(refresh));
    }

    [Fact]
    public async Task revoking_a_client_credentials_token_records_its_jti_once()
    {
        var access = await _host.ClientCredentialsTokenAsync();
        var other = await _host.ClientCredentialsTokenAsync();
        Assert.True(await _host.IsActiveAsync(access));

        using (var revoked = await _host.RevokeAsync(access))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }

        Assert.False(await _host.IsActiveAsync(access));
        Assert.True(await _host.IsActiveAsync(other));
        var head = await _host.Host.Api.HeadAsync();
        using (var again = await _host.RevokeAsync(access))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        Assert.Equal(head, await _host.Host.Api.HeadAsync());
        var log = await _host.Host.WholeLogAsync();
        Assert.Single(log.Split('\n'), l => l.StartsWith("grant.access-token-revoked.v1 ", StringComparison.Ordinal));
        Assert.DoesNotContain(access, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_token_of_another_client_is_answered_200_and_stays_active()
    {
        var access = await _host.ClientCredentialsTokenAsync();
        var (browser, tokens) = await _host.SignInForTokensAsync();
        browser.Dispose();
        var refresh = tokens.GetProperty("refresh_token").GetString()!;
        var (id, secret) = await _host.ResourceServerAsync();
        var head = await _host.Host.Api.HeadAsync();

        using (var a = await _host.RevokeAsync(access, clientId: id, secret: secret))
        {
            Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        }

        using (var r = await _host.RevokeAsync(refresh, clientId: id, secret: secret))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        Assert.Equal(head, await _host.Host.Api.HeadAsync());
        Assert.True(await _host.IsActiveAsync(access));
        Assert.True(await _host.IsActiveAsync(refresh));
    }

    [Theory]
    [InlineData("garbage", null)]
    [InlineData("a.b.c", "access_token")]
    [InlineData("0197a3f2c1d47c3e9b5a2f6d8e0c1b2a.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "refresh_token")]
    [InlineData("garbage", "id_token")]
    public async Task unknown_tokens_and_unknown_hints_are_answered_200(string token, string? hint)
    {
        var head = await _host.Host.Api.HeadAsync();

        using var response = await _host.RevokeAsync(token, hint);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(head, await _host.Host.Api.HeadAsync());
    }

    [Fact]
    public async Task forged_and_foreign_tokens_revoke_nothing()
    {
        var access = await _host.ClientCredentialsTokenAsync();
        var globex = await _host.GlobexTokenAsync();
        var head = await _host.Host.Api.HeadAsync();

        foreach (var token in new[] { OidcHost.AlgNone(access), await _host.Hs256WithPublicKeyAsync(access), globex })
        {
            using var response = await _host.RevokeAsync(token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(head, await _host.Host.Api.HeadAsync());
        Assert.True(await _host.IsActiveAsync(access));
    }

    [Fact]
    public async Task revocation_requires_client_authentication_and_a_token()
    {
        var url = OidcHost.Issuer + "/oauth/v2/revoke";
        using (var none = await _host.PostFormAsync(url, new() { ["token"] = "x" }, clientId: ""))
        {
            await ClientHost.OAuthErrorAsync(none, HttpStatusCode.Unauthorized, "invalid_client", "KID2100");
        }

        using (var wrong = await _host.RevokeAsync("x", secret: "nope"))
        {
            await ClientHost.OAuthErrorAsync(wrong, HttpStatusCode.Unauthorized, "invalid_client", "KID2100");
        }

        using (var missing = await _host.PostFormAsync(url, new() { ["token_type_hint"] = "access_token" }))
        {
            await ClientHost.OAuthErrorAsync(missing, HttpStatusCode.BadRequest, "invalid_request", "KID2140");
        }

        using var json = await _host.PostFormAsync(url, new() { ["token"] = "x" }, mediaType: "application/json");
        await ClientHost.OAuthErrorAsync(json, HttpStatusCode.BadRequest, "invalid_request", "KID2140");
    }
}
