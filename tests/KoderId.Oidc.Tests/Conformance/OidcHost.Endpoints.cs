using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KoderId.Oidc.Tests.Clients;

namespace KoderId.Oidc.Tests.Conformance;

/// <summary>Helpers for the endpoints that take a token: introspection, revocation, userinfo, end session, /v1/sessions.</summary>
internal sealed partial class OidcHost
{
    public const string GlobexIssuer = "https://globex.koderid.test";

    /// <summary>A fresh browser signed in through the login page, and the tokens its code was redeemed for.</summary>
    public async Task<(HttpClient Browser, JsonElement Tokens)> SignInForTokensAsync(string scope = "openid profile email offline_access")
    {
        var browser = Browser();
        var (verifier, challenge) = Pkce();
        using var authorize = await browser.GetAsync(AuthorizeUrl(challenge, scope: scope));
        Assert.Equal(HttpStatusCode.SeeOther, authorize.StatusCode);
        var location = await PostLoginAsync(browser, authorize.Headers.Location!.ToString(), "alice", Password);
        using var resumed = await browser.GetAsync(location);
        Assert.Equal(HttpStatusCode.SeeOther, resumed.StatusCode);
        var code = Query(resumed.Headers.Location!)["code"];
        return (browser, await RedeemAsync(code, verifier));
    }

    public async Task<string> ClientCredentialsTokenAsync(string scope = "api")
    {
        using var response = await TokenAsync(new() { ["grant_type"] = "client_credentials", ["scope"] = scope });
        return (await ClientHost.JsonAsync(response, HttpStatusCode.OK)).GetProperty("access_token").GetString()!;
    }

    /// <summary>A form POST to <paramref name="url"/> (absolute), with Basic credentials unless <paramref name="clientId"/> is "".</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string url, Dictionary<string, string> form, string? clientId = null, string? secret = null, string? mediaType = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        if (mediaType is not null)
        {
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        }

        if (clientId != "")
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId ?? ClientId)}:{Uri.EscapeDataString(secret ?? ClientSecret)}")));
        }

        using var client = Host.Api.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        return await client.SendAsync(request);
    }

    public Task<HttpResponseMessage> IntrospectAsync(string token, string? hint = null, string? clientId = null, string? secret = null, string issuer = Issuer)
    {
        var form = new Dictionary<string, string> { ["token"] = token };
        if (hint is not null)
        {
            form["token_type_hint"] = hint;
        }

        return PostFormAsync(issuer + "/oauth/v2/introspect", form, clientId, secret);
    }

    /// <summary>Introspects and returns the JSON body (200 expected).</summary>
    public async Task<JsonElement> IntrospectJsonAsync(string token, string? hint = null, string? clientId = null, string? secret = null, string issuer = Issuer)
    {
        using var response = await IntrospectAsync(token, hint, clientId, secret, issuer);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return await ClientHost.JsonAsync(response, HttpStatusCode.OK);
    }

    public async Task<bool> IsActiveAsync(string token) => (await IntrospectJsonAsync(token)).GetProperty("active").GetBoolean();

    public Task<HttpResponseMessage> RevokeAsync(string token, string? hint = null, string? clientId = null, string? secret = null, string issuer = Issuer)
    {
        var form = new Dictionary<string, string> { ["token"] = token };
        if (hint is not null)
        {
            form["token_type_hint"] = hint;
        }

        return PostFormAsync(issuer + "/oauth/v2/revoke", form, clientId, secret);
    }

    /// <summary>A request with a bearer header (null: none) to an absolute URL.</summary>
    public async Task<HttpResponseMessage> BearerAsync(HttpMethod method, string url, string? bearer, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        if (bearer is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        }

        using var client = Host.Api.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        return await client.SendAsync(request);
    }

    public async Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        await TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken });

    /// <summary>A confidential client of acme other than the RP (a resource server), with its secret.</summary>
    public async Task<(string Id, string Secret)> ResourceServerAsync(string tenant = "acme")
    {
        var (id, secret) = await Host.CreateClientAsync(tenant, new { name = "API", grantTypes = new[] { "client_credentials" }, scopes = new[] { "api" } });
        return (id, secret!);
    }

    /// <summary>The same header and payload with <c>alg: none</c> and no signature.</summary>
    public static string AlgNone(string token)
    {
        var parts = token.Split('.');
        var header = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64Url.DecodeFromChars(parts[0]))!;
        header["alg"] = JsonSerializer.SerializeToElement("none");
        return $"{B64(header)}.{parts[1]}.";
    }

    /// <summary>HS256 keyed with the token's published public key (its JWK text): the algorithm-confusion forgery.</summary>
    public async Task<string> Hs256WithPublicKeyAsync(string token)
    {
        var kid = Header(token).GetProperty("kid").GetString()!;
        using var client = Browser();
        var jwks = JsonDocument.Parse(await client.GetStringAsync("/oauth/v2/keys")).RootElement;
        var jwk = jwks.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() == kid);
        var input = $"{B64(new { alg = "HS256", kid, typ = "at+jwt" })}.{token.Split('.')[1]}";
        return $"{input}.{Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(jwk.GetRawText()), Encoding.ASCII.GetBytes(input)))}";
    }

    /// <summary>The token with one payload claim changed and the original signature.</summary>
    public static string Tampered(string token, string claim, object value)
    {
        var parts = token.Split('.');
        var claims = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64Url.DecodeFromChars(parts[1]))!;
        claims[claim] = JsonSerializer.SerializeToElement(value);
        return $"{parts[0]}.{B64(claims)}.{parts[2]}";
    }

    /// <summary>A client_credentials token minted by globex for a globex client.</summary>
    public async Task<string> GlobexTokenAsync()
    {
        var (id, secret) = await ResourceServerAsync("globex");
        using var response = await PostFormAsync(GlobexIssuer + "/oauth/v2/token", new() { ["grant_type"] = "client_credentials" }, id, secret);
        return (await ClientHost.JsonAsync(response, HttpStatusCode.OK)).GetProperty("access_token").GetString()!;
    }

    /// <summary>A user "gina" and a client in globex, signed in through globex's login page: globex's access token.</summary>
    public async Task<string> GlobexUserTokenAsync()
    {
        var user = await Host.Api.OkAsync(HttpMethod.Post, "/v1/users", "globex", new { username = "gina", email = "gina@example.com" }, expected: HttpStatusCode.Created);
        using (var set = await Host.Api.SendAsync(HttpMethod.Put, $"/v1/users/{user.GetProperty("id").GetString()}/password", "globex", new { password = Password }))
        {
            Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync());
        }

        var (clientId, secret) = await Host.CreateClientAsync("globex", new
        {
            name = "Globex RP",
            redirectUris = new[] { RedirectUri },
            grantTypes = new[] { "authorization_code" },
            scopes = new[] { "openid" },
            firstParty = true,
        });
        using var browser = Host.Api.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            HandleCookies = true,
            BaseAddress = new Uri(GlobexIssuer + "/"),
        });
        var (verifier, challenge) = Pkce();
        using var authorize = await browser.GetAsync(
            $"/oauth/v2/authorize?client_id={clientId}&redirect_uri={Uri.EscapeDataString(RedirectUri)}&response_type=code&scope=openid&state=g&code_challenge={challenge}&code_challenge_method=S256");
        Assert.Equal(HttpStatusCode.SeeOther, authorize.StatusCode);
        var location = await PostLoginAsync(browser, authorize.Headers.Location!.ToString(), "gina", Password);
        using var resumed = await browser.GetAsync(location);
        var code = Query(resumed.Headers.Location!)["code"];
        using var redeemed = await PostFormAsync(GlobexIssuer + "/oauth/v2/token", new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = verifier,
        }, clientId, secret);
        return (await ClientHost.JsonAsync(redeemed, HttpStatusCode.OK)).GetProperty("access_token").GetString()!;
    }

    private static string B64(object value) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));
}
