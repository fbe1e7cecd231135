using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KoderId.Oidc.Tests.Clients;
using Microsoft.AspNetCore.WebUtilities;

namespace KoderId.Oidc.Tests.Conformance;

/// <summary>
/// The real host with a user who has a password and a confidential first-party client in acme, and a
/// browser: an HttpClient that keeps cookies, follows no redirect and talks to <c>https://acme.koderid.test</c>.
/// </summary>
internal sealed partial class OidcHost : IAsyncDisposable
{
    public const string Password = "correct horse battery staple 42";
    public const string RedirectUri = "https://rp.example/cb";
    public const string Issuer = "https://acme.koderid.test";

    private OidcHost(ClientHost host) => Host = host;

    public ClientHost Host { get; }

    public string UserId { get; private set; } = "";

    public string ClientId { get; private set; } = "";

    public string ClientSecret { get; private set; } = "";

    public static async Task<OidcHost> StartAsync(string? postgres = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var host = new OidcHost(await ClientHost.StartAsync(postgres: postgres, services: services));
        var user = await host.Host.Api.OkAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "alice", email = "alice@example.com", givenName = "Alice", familyName = "Liddell" }, expected: HttpStatusCode.Created);
        host.UserId = user.GetProperty("id").GetString()!;
        using (var set = await host.Host.Api.SendAsync(HttpMethod.Put, $"/v1/users/{host.UserId}/password", "acme", new { password = Password }))
        {
            Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync());
        }

        (host.ClientId, var secret) = await host.Host.CreateClientAsync("acme", new
        {
            name = "RP",
            redirectUris = new[] { RedirectUri },
            postLogoutRedirectUris = new[] { "https://rp.example/bye" },
            grantTypes = new[] { "authorization_code", "refresh_token", "client_credentials" },
            scopes = new[] { "openid", "profile", "email", "offline_access", "roles", "api", "metadata", "urn:zitadel:iam:user:metadata" },
            firstParty = true,
        });
        host.ClientSecret = secret!;
        return host;
    }

    /// <summary>A browser on acme's host: cookies kept, no redirect followed.</summary>
    public HttpClient Browser()
    {
        var client = Host.Api.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            HandleCookies = true,
            BaseAddress = new Uri(Issuer + "/"),
        });
        return client;
    }

    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (verifier, WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public string AuthorizeUrl(string challenge, string scope = "openid profile email offline_access", string state = "st-1", string? nonce = "n-1", string? extra = null) =>
        $"/oauth/v2/authorize?client_id={ClientId}&redirect_uri={Uri.EscapeDataString(RedirectUri)}&response_type=code&scope={Uri.EscapeDataString(scope)}"
        + $"&state={state}&code_challenge={challenge}&code_challenge_method=S256" + (nonce is null ? "" : $"&nonce={nonce}") + extra;

    /// <summary>Authorize → login page → credentials → the redirect back; returns the final redirect's query.</summary>
    public async Task<Dictionary<string, string>> SignInAsync(HttpClient browser, string challenge, string password = Password, string? extra = null)
    {
        using var authorize = await browser.GetAsync(AuthorizeUrl(challenge, extra: extra));
        Assert.Equal(HttpStatusCode.SeeOther, authorize.StatusCode);
        var login = authorize.Headers.Location!.ToString();
        Assert.StartsWith("/ui/login?ar=", login, StringComparison.Ordinal);
        var location = await PostLoginAsync(browser, login, "alice", password);
        using var resumed = await browser.GetAsync(location);
        Assert.Equal(HttpStatusCode.SeeOther, resumed.StatusCode);
        return Query(resumed.Headers.Location!);
    }

    /// <summary>Fills the login form of <paramref name="loginPath"/> and returns the 303's location.</summary>
    public static async Task<string> PostLoginAsync(HttpClient browser, string loginPath, string username, string password)
    {
        var page = await browser.GetStringAsync(loginPath);
        var form = new Dictionary<string, string>
        {
            ["__csrf"] = Hidden(page, "__csrf"),
            ["ar"] = Hidden(page, "ar"),
            ["username"] = username,
            ["password"] = password,
        };
        using var posted = await browser.PostAsync("/ui/login", new FormUrlEncodedContent(form));
        Assert.True(posted.StatusCode == HttpStatusCode.SeeOther, $"{(int)posted.StatusCode} {await posted.Content.ReadAsStringAsync()}");
        return posted.Headers.Location!.ToString();
    }

    public async Task<HttpResponseMessage> TokenAsync(Dictionary<string, string> form, bool basic = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Issuer + "/oauth/v2/token") { Content = new FormUrlEncodedContent(form) };
        if (basic)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(ClientId)}:{Uri.EscapeDataString(ClientSecret)}")));
        }

        using var client = Host.Api.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        return await client.SendAsync(request);
    }

    public async Task<JsonElement> RedeemAsync(string code, string verifier)
    {
        using var response = await TokenAsync(new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = verifier,
        });
        return await ClientHost.JsonAsync(response, HttpStatusCode.OK);
    }

    public static Dictionary<string, string> Query(Uri location)
    {
        var query = location.IsAbsoluteUri ? location.Query : "?" + location.OriginalString.Split('?', 2).ElementAtOrDefault(1);
        return QueryHelpers.ParseQuery(query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    public static JsonElement Payload(string jwt)
    {
        var part = jwt.Split('.')[1];
        return JsonDocument.Parse(WebEncoders.Base64UrlDecode(part)).RootElement.Clone();
    }

    public static JsonElement Header(string jwt) => JsonDocument.Parse(WebEncoders.Base64UrlDecode(jwt.Split('.')[0])).RootElement.Clone();

    public static string Hidden(string html, string name)
    {
        var match = Regex.Match(html, $"name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"");
        Assert.True(match.Success, $"no hidden {name} in the page");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
