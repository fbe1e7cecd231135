using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;
using KoderId.Events.Credentials;
using KoderId.Oidc.Tests.Conformance;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Tests.Migration;

/// <summary>
/// ADR 0007 end to end: a Zitadel org imported over the admin API, then its bcrypt user signs in to its imported
/// app through the hosted login page with the old password, and the stored hash is Argon2id afterwards.
/// </summary>
public sealed class ImportedUserLoginTests
{
    private const string Issuer = "https://initech.koderid.test";
    private const string RedirectUri = "https://rp.initech.example/cb";

    // crypt_blowfish's test vector: password "U*U".
    private const string BcryptHash = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";

    private static readonly string Export = """
        {"orgs": [{
          "orgId": "187000000000000001",
          "org": {"name": "Initech"},
          "humanUsers": [{"userId": "187000000000000002", "user": {"userName": "peter",
            "profile": {"firstName": "Peter", "lastName": "Gibbons"},
            "email": {"email": "peter@initech.example", "isEmailVerified": true},
            "hashedPassword": {"value": "BCRYPT_HASH", "algorithm": "bcrypt"}}}],
          "projects": [{"projectId": "187000000000000003", "project": {"name": "TPS"}}],
          "oidcApps": [{"appId": "187000000000000004", "app": {"projectId": "187000000000000003", "name": "TPS reports",
            "redirectUris": ["REDIRECT_URI"], "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"],
            "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"], "appType": "OIDC_APP_TYPE_WEB", "authMethodType": "OIDC_AUTH_METHOD_TYPE_BASIC"}
          }]
        }]}
        """.Replace("BCRYPT_HASH", BcryptHash, StringComparison.Ordinal).Replace("REDIRECT_URI", RedirectUri, StringComparison.Ordinal);

    [Fact]
    public async Task an_imported_bcrypt_user_signs_in_through_the_login_page_and_is_rehashed_to_argon2id()
    {
        await using var host = await OidcHost.StartAsync();
        using var imported = await host.Host.Api.SendAsync(HttpMethod.Post, "/v1/admin/import/zitadel", raw: Export);
        var report = JsonDocument.Parse(await imported.Content.ReadAsStringAsync()).RootElement;
        Assert.True(imported.StatusCode == HttpStatusCode.OK, report.GetRawText());
        var client = report.GetProperty("clients")[0];
        var clientId = client.GetProperty("clientId").GetString()!;
        var secret = client.GetProperty("clientSecret").GetString()!;
        Assert.Equal("initech", report.GetProperty("orgs")[0].GetProperty("tenantId").GetString());

        using var browser = host.Host.Api.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            HandleCookies = true,
            BaseAddress = new Uri(Issuer + "/"),
        });
        var (verifier, challenge) = OidcHost.Pkce();
        using var authorize = await browser.GetAsync(
            $"/oauth/v2/authorize?client_id={clientId}&redirect_uri={Uri.EscapeDataString(RedirectUri)}&response_type=code&scope=openid%20email&state=s1&nonce=n1"
            + $"&code_challenge={challenge}&code_challenge_method=S256");
        Assert.Equal(HttpStatusCode.SeeOther, authorize.StatusCode);
        var login = authorize.Headers.Location!.ToString();
        Assert.StartsWith("/ui/login?ar=", login, StringComparison.Ordinal);

        var location = await OidcHost.PostLoginAsync(browser, login, "peter", "U*U");
        using var resumed = await browser.GetAsync(location);
        Assert.Equal(HttpStatusCode.SeeOther, resumed.StatusCode);
        var callback = OidcHost.Query(resumed.Headers.Location!);
        Assert.Equal("s1", callback["state"]);

        using var token = new HttpRequestMessage(HttpMethod.Post, Issuer + "/oauth/v2/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code", ["code"] = callback["code"], ["redirect_uri"] = RedirectUri, ["code_verifier"] = verifier,
            }),
        };
        token.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        using var tokens = await host.Host.Api.Factory.CreateClient().SendAsync(token);
        var body = await Clients.ClientHost.JsonAsync(tokens, HttpStatusCode.OK);
        Assert.Equal("187000000000000002", OidcHost.Payload(body.GetProperty("id_token").GetString()!).GetProperty("sub").GetString());

        var hashes = await PasswordEventsAsync(host, "initech", "user-initech-187000000000000002");
        Assert.Equal([PasswordSetReasons.Import, PasswordSetReasons.Rehash], hashes.Select(h => h.Reason));
        Assert.Equal(BcryptHash, hashes[0].PasswordHash);
        Assert.StartsWith("$argon2id$v=19$", hashes[1].PasswordHash, StringComparison.Ordinal);
    }

    private static async Task<List<UserPasswordSet>> PasswordEventsAsync(OidcHost host, string tenant, string stream)
    {
        var store = host.Host.Services.GetRequiredService<IEventStore>();
        var serializer = host.Host.Services.GetRequiredService<EventSerializer>();
        var events = new List<UserPasswordSet>();
        await foreach (var stored in store.ReadStreamAsync(tenant, stream))
        {
            if ((await serializer.DeserializeAsync(stored)).Event is UserPasswordSet set)
            {
                events.Add(set);
            }
        }

        return events;
    }
}
