using System.Net;
using System.Text;
using KoderId.Oidc.Common;
using KoderId.Oidc.Keys;
using KoderId.Oidc.Tests.Clients;
using KoderId.Oidc.Tests.Conformance;

namespace KoderId.Oidc.Tests.UserInfo;

/// <summary>OIDC Core §5.3 and RFC 6750 through the real host.</summary>
public sealed class UserInfoTests : IAsyncLifetime
{
    private const string Url = OidcHost.Issuer + "/oidc/v1/userinfo";
    private OidcHost _host = null!;

    public async Task InitializeAsync() => _host = await OidcHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task get_and_post_answer_sub_and_the_claims_of_the_granted_scopes()
    {
        var access = await AccessTokenAsync();

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
        {
            using var response = await _host.BearerAsync(method, Url, access);
            var body = await ClientHost.JsonAsync(response, HttpStatusCode.OK);
            Assert.Equal(_host.UserId, body.GetProperty("sub").GetString());
            Assert.Equal("alice@example.com", body.GetProperty("email").GetString());
            Assert.Equal("Alice", body.GetProperty("given_name").GetString());
            Assert.Equal("alice", body.GetProperty("preferred_username").GetString());
            Assert.False(body.TryGetProperty("roles", out _));
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        }
    }

    [Fact]
    public async Task the_metadata_scope_gives_the_users_metadata_in_the_id_token_and_userinfo_also_under_zitadels_name()
    {
        using (var set = await _host.Host.Api.SendAsync(HttpMethod.Put, $"/v1/users/{_host.UserId}/metadata/department", "acme", new { text = "Engineering" }))
        {
            Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync());
        }

        var expected = Convert.ToBase64String("Engineering"u8);
        var (browser, tokens) = await _host.SignInForTokensAsync("openid metadata urn:zitadel:iam:user:metadata");
        browser.Dispose();
        var idToken = OidcHost.Payload(tokens.GetProperty("id_token").GetString()!);
        Assert.Equal(expected, idToken.GetProperty("metadata").GetProperty("department").GetString());
        Assert.Equal(expected, idToken.GetProperty("urn:zitadel:iam:user:metadata").GetProperty("department").GetString());

        // Userinfo reads the user's stream at the request: an entry set after the sign-in is there.
        using (var later = await _host.Host.Api.SendAsync(HttpMethod.Put, $"/v1/users/{_host.UserId}/metadata/team", "acme", new { text = "Identity" }))
        {
            Assert.True(later.IsSuccessStatusCode);
        }

        using var response = await _host.BearerAsync(HttpMethod.Get, Url, tokens.GetProperty("access_token").GetString());
        var body = await ClientHost.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(["department", "team"], body.GetProperty("metadata").EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(Convert.ToBase64String("Identity"u8), body.GetProperty("urn:zitadel:iam:user:metadata").GetProperty("team").GetString());

        // Without the scope, no metadata.
        var (other, plain) = await _host.SignInForTokensAsync("openid profile");
        other.Dispose();
        Assert.False(OidcHost.Payload(plain.GetProperty("id_token").GetString()!).TryGetProperty("metadata", out _));
    }

    [Fact]
    public async Task openid_alone_gives_sub_alone()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync("openid");
        browser.Dispose();

        using var response = await _host.BearerAsync(HttpMethod.Get, Url, tokens.GetProperty("access_token").GetString());

        var body = await ClientHost.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(["sub"], body.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task no_token_is_a_bare_bearer_challenge()
    {
        using var response = await _host.BearerAsync(HttpMethod.Get, Url, bearer: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task a_token_in_the_query_or_the_body_is_refused()
    {
        var access = await AccessTokenAsync();

        using (var query = await _host.BearerAsync(HttpMethod.Get, Url + "?access_token=" + access, bearer: null))
        {
            AssertChallenge(query, HttpStatusCode.BadRequest, "invalid_request", EndpointErrors.BearerInvalidRequest);
        }

        using var body = await _host.BearerAsync(HttpMethod.Post, Url, bearer: null, new FormUrlEncodedContent(new Dictionary<string, string> { ["access_token"] = access }));
        AssertChallenge(body, HttpStatusCode.BadRequest, "invalid_request", EndpointErrors.BearerInvalidRequest);
    }

    [Fact]
    public async Task malformed_forged_and_foreign_tokens_are_invalid_token()
    {
        var access = await AccessTokenAsync();
        var cases = new (string Token, string Code)[]
        {
            ("garbage", TokenErrors.Malformed),
            ("a.b.c", TokenErrors.Malformed),
            (OidcHost.AlgNone(access), TokenErrors.UnsupportedAlgorithm),
            (await _host.Hs256WithPublicKeyAsync(access), TokenErrors.UnsupportedAlgorithm),
            (OidcHost.Tampered(access, "sub", "mallory"), TokenErrors.InvalidSignature),
            (await _host.GlobexTokenAsync(), TokenErrors.UnknownKey),
            (await _host.Host.CreateKeyAsync("acme", "users:read"), TokenErrors.Malformed),
        };

        foreach (var (token, code) in cases)
        {
            using var response = await _host.BearerAsync(HttpMethod.Get, Url, token);
            AssertChallenge(response, HttpStatusCode.Unauthorized, "invalid_token", code);
        }

        using var atGlobex = await _host.BearerAsync(HttpMethod.Get, OidcHost.GlobexIssuer + "/oidc/v1/userinfo", access);
        AssertChallenge(atGlobex, HttpStatusCode.Unauthorized, "invalid_token", TokenErrors.UnknownKey);
    }

    [Fact]
    public async Task an_id_token_or_a_refresh_token_is_not_an_access_token()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        browser.Dispose();

        using (var id = await _host.BearerAsync(HttpMethod.Get, Url, tokens.GetProperty("id_token").GetString()))
        {
            AssertChallenge(id, HttpStatusCode.Unauthorized, "invalid_token", TokenErrors.WrongType);
        }

        using var refresh = await _host.BearerAsync(HttpMethod.Get, Url, tokens.GetProperty("refresh_token").GetString());
        AssertChallenge(refresh, HttpStatusCode.Unauthorized, "invalid_token", TokenErrors.Malformed);
    }

    [Fact]
    public async Task a_client_token_is_not_a_users()
    {
        using var response = await _host.BearerAsync(HttpMethod.Get, Url, await _host.ClientCredentialsTokenAsync());

        AssertChallenge(response, HttpStatusCode.Unauthorized, "invalid_token", EndpointErrors.BearerNotUserToken);
    }

    [Fact]
    public async Task a_token_without_openid_is_insufficient_scope()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync("profile offline_access");
        browser.Dispose();

        using var response = await _host.BearerAsync(HttpMethod.Get, Url, tokens.GetProperty("access_token").GetString());

        AssertChallenge(response, HttpStatusCode.Forbidden, "insufficient_scope", EndpointErrors.BearerInsufficientScope);
        Assert.Contains("scope=\"openid\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_access_token_is_not_an_api_key()
    {
        using var response = await _host.BearerAsync(HttpMethod.Get, OidcHost.Issuer + "/v1/users", await AccessTokenAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task userinfo_appends_nothing()
    {
        var access = await AccessTokenAsync();
        using (var first = await _host.BearerAsync(HttpMethod.Get, Url, access))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var head = await _host.Host.Api.HeadAsync();
        for (var i = 0; i < 10; i++)
        {
            using var ok = await _host.BearerAsync(HttpMethod.Get, Url, access);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            using var bad = await _host.BearerAsync(HttpMethod.Post, Url, "garbage");
            Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        }

        Assert.Equal(head, await _host.Host.Api.HeadAsync());
    }

    [Fact]
    public async Task an_oversized_or_malformed_post_is_refused_without_a_500()
    {
        var access = await AccessTokenAsync();
        using (var huge = await _host.BearerAsync(HttpMethod.Post, Url, access, new StringContent("a=" + new string('b', 70 * 1024), Encoding.ASCII, "application/x-www-form-urlencoded")))
        {
            AssertChallenge(huge, HttpStatusCode.BadRequest, "invalid_request", EndpointErrors.BearerInvalidRequest);
        }

        using var json = await _host.BearerAsync(HttpMethod.Post, Url, access, new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
    }

    private async Task<string> AccessTokenAsync()
    {
        var (browser, tokens) = await _host.SignInForTokensAsync();
        browser.Dispose();
        return tokens.GetProperty("access_token").GetString()!;
    }

    private static void AssertChallenge(HttpResponseMessage response, HttpStatusCode status, string error, string code)
    {
        Assert.Equal(status, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.StartsWith($"Bearer error=\"{error}\"", challenge, StringComparison.Ordinal);
        Assert.Contains($"({code})\"", challenge, StringComparison.Ordinal);
        Assert.All(challenge, c => Assert.InRange(c, ' ', '~'));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }
}
