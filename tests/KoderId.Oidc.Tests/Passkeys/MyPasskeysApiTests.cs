using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Application.Tests.Passkeys;
using KoderId.Oidc.Common;
using KoderId.Oidc.Tests.Clients;
using KoderId.Oidc.Tests.Conformance;
using KoderId.Server.Tests.Api;

namespace KoderId.Oidc.Tests.Passkeys;

/// <summary>
/// <c>/v1/users/me/passkeys</c> with the user's access token and <c>/v1/users/{id}/passkeys</c> for admins:
/// registration against the tenant's origin and host, list, rename, delete, and every bad input answered 4xx
/// with its KID code.
/// </summary>
public sealed class MyPasskeysApiTests : IAsyncLifetime
{
    private const string Mine = OidcHost.Issuer + "/v1/users/me/passkeys";
    private OidcHost _host = null!;
    private string _access = "";

    public async Task InitializeAsync()
    {
        _host = await OidcHost.StartAsync();
        _access = await SignInAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task a_user_registers_lists_renames_and_deletes_a_passkey_of_the_tenants_origin()
    {
        using var authenticator = new SoftwareAuthenticator(OidcHost.Issuer);
        var options = await OptionsAsync();
        Assert.Equal("acme.koderid.test", options["rp"]!["id"]!.GetValue<string>());

        using (var created = await SendAsync(HttpMethod.Post, Mine, new JsonObject { ["credential"] = authenticator.Create(options), ["name"] = "Phone" }))
        {
            var body = await ClientHost.JsonAsync(created, HttpStatusCode.Created);
            Assert.Equal("Phone", body.GetProperty("name").GetString());
            Assert.True(body.GetProperty("discoverable").GetBoolean());
            Assert.False(body.TryGetProperty("publicKey", out _));
        }

        var id = Application.Passkeys.WebAuthn.Base64UrlBytes.Encode(authenticator.CredentialId);
        using (var list = await SendAsync(HttpMethod.Get, Mine))
        {
            var item = Assert.Single((await ClientHost.JsonAsync(list, HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
            Assert.Equal(id, item.GetProperty("id").GetString());
            Assert.Equal(["internal"], item.GetProperty("transports").EnumerateArray().Select(t => t.GetString()));
        }

        using (var admin = await _host.Host.Api.SendAsync(HttpMethod.Get, $"/v1/users/{_host.UserId}/passkeys", "acme"))
        {
            Assert.Single((await ClientHost.JsonAsync(admin, HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
        }

        using (var renamed = await SendAsync(HttpMethod.Patch, $"{Mine}/{id}", new JsonObject { ["name"] = "Work phone" }))
        {
            Assert.Equal("Work phone", (await ClientHost.JsonAsync(renamed, HttpStatusCode.OK)).GetProperty("name").GetString());
        }

        using (var deleted = await SendAsync(HttpMethod.Delete, $"{Mine}/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var again = await SendAsync(HttpMethod.Delete, $"{Mine}/{id}"))
        {
            await ApiHost.ProblemAsync(again, HttpStatusCode.NotFound, "KID1340");
        }
    }

    [Fact]
    public async Task an_admin_removes_a_users_passkey_and_another_tenant_sees_none()
    {
        using var authenticator = new SoftwareAuthenticator(OidcHost.Issuer);
        using (var created = await SendAsync(HttpMethod.Post, Mine, new JsonObject { ["credential"] = authenticator.Create(await OptionsAsync()) }))
        {
            Assert.Equal("Passkey 1", (await ClientHost.JsonAsync(created, HttpStatusCode.Created)).GetProperty("name").GetString());
        }

        var id = Application.Passkeys.WebAuthn.Base64UrlBytes.Encode(authenticator.CredentialId);
        using (var cross = await _host.Host.Api.SendAsync(HttpMethod.Delete, $"/v1/users/{_host.UserId}/passkeys/{id}", "globex"))
        {
            Assert.Equal(HttpStatusCode.NotFound, cross.StatusCode);
        }

        using (var removed = await _host.Host.Api.SendAsync(HttpMethod.Delete, $"/v1/users/{_host.UserId}/passkeys/{id}", "acme"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        using var list = await SendAsync(HttpMethod.Get, Mine);
        Assert.Empty((await ClientHost.JsonAsync(list, HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task a_response_made_for_another_origin_or_replayed_is_refused_with_its_code()
    {
        using var phished = new SoftwareAuthenticator(OidcHost.GlobexIssuer);
        using (var r = await SendAsync(HttpMethod.Post, Mine, new JsonObject { ["credential"] = phished.Create(await OptionsAsync()) }))
        {
            await ApiHost.ProblemAsync(r, HttpStatusCode.BadRequest, "KID1347");
        }

        using var authenticator = new SoftwareAuthenticator(OidcHost.Issuer);
        var credential = authenticator.Create(await OptionsAsync());
        using (var first = await SendAsync(HttpMethod.Post, Mine, new JsonObject { ["credential"] = credential.DeepClone() }))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        using (var replay = await SendAsync(HttpMethod.Post, Mine, new JsonObject { ["credential"] = credential.DeepClone() }))
        {
            await ApiHost.ProblemAsync(replay, HttpStatusCode.BadRequest, "KID1346");
        }
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { "{}", "KID2003" },
        { "{\"credential\":\"x\"}", "KID2003" },
        { "{\"credential\":{},\"extra\":1}", "KID2004" },
        { "not json", "KID2003" },
        { "{\"credential\":{\"type\":\"public-key\",\"id\":\"AAAA\",\"response\":{\"clientDataJSON\":\"%%%\",\"attestationObject\":\"AA\"}}}", "KID1343" },
        { "{\"credential\":{\"type\":\"public-key\",\"id\":\"AAAA\",\"response\":{\"attestationObject\":\"AA\"}}}", "KID1343" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task a_malformed_registration_body_is_a_4xx_with_a_kid_code(string body, string code)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _host.BearerAsync(HttpMethod.Post, Mine, _access, content);

        await ApiHost.ProblemAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task malformed_cbor_and_oversized_client_data_are_4xx_never_500()
    {
        var options = await OptionsAsync();
        var challenge = options["challenge"]!.GetValue<string>();
        var clientData = Application.Passkeys.WebAuthn.Base64UrlBytes.Encode(Encoding.UTF8.GetBytes(
            $$"""{"type":"webauthn.create","challenge":"{{challenge}}","origin":"{{OidcHost.Issuer}}","crossOrigin":false}"""));
        foreach (var (attestation, code) in new[] { ("oWNmbXQ", "KID1343"), ("_w", "KID1343"), ("oA", "KID1343") })
        {
            var credential = new JsonObject
            {
                ["type"] = "public-key",
                ["id"] = "AAAAAAAAAAAAAAAAAAAAAA",
                ["response"] = new JsonObject { ["clientDataJSON"] = clientData, ["attestationObject"] = attestation },
            };
            using var r = await SendAsync(HttpMethod.Post, Mine, new JsonObject { ["credential"] = credential });
            await ApiHost.ProblemAsync(r, HttpStatusCode.BadRequest, code);
            options = await OptionsAsync();
            clientData = Application.Passkeys.WebAuthn.Base64UrlBytes.Encode(Encoding.UTF8.GetBytes(
                $$"""{"type":"webauthn.create","challenge":"{{options["challenge"]!.GetValue<string>()}}","origin":"{{OidcHost.Issuer}}","crossOrigin":false}"""));
        }

        var huge = Application.Passkeys.WebAuthn.Base64UrlBytes.Encode(Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 5000) + "\"}"));
        using (var r = await SendAsync(HttpMethod.Post, Mine, new JsonObject
        {
            ["credential"] = new JsonObject { ["type"] = "public-key", ["id"] = "AAAA", ["response"] = new JsonObject { ["clientDataJSON"] = huge, ["attestationObject"] = "oA" } },
        }))
        {
            await ApiHost.ProblemAsync(r, HttpStatusCode.BadRequest, "KID1344");
        }
    }

    [Fact]
    public async Task only_a_users_access_token_reaches_the_passkeys_and_another_tenants_token_does_not()
    {
        using (var none = await _host.BearerAsync(HttpMethod.Get, Mine, bearer: null))
        {
            await ApiHost.ProblemAsync(none, HttpStatusCode.Unauthorized, EndpointErrors.BearerMissing);
        }

        using (var options = await _host.BearerAsync(HttpMethod.Post, Mine + "/registration-options", await _host.ClientCredentialsTokenAsync()))
        {
            await ApiHost.ProblemAsync(options, HttpStatusCode.Unauthorized, EndpointErrors.BearerNotUserToken);
        }

        using (var cross = await _host.BearerAsync(HttpMethod.Get, OidcHost.GlobexIssuer + "/v1/users/me/passkeys", _access))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, cross.StatusCode);
        }
    }

    private async Task<JsonObject> OptionsAsync()
    {
        using var response = await _host.BearerAsync(HttpMethod.Post, Mine + "/registration-options", _access);
        var body = await ClientHost.JsonAsync(response, HttpStatusCode.OK);
        return JsonNode.Parse(body.GetProperty("publicKey").GetRawText())!.AsObject();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, JsonObject? body = null)
    {
        using var content = body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return await _host.BearerAsync(method, url, _access, content);
    }

    private async Task<string> SignInAsync()
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        using var authorize = await browser.GetAsync(_host.AuthorizeUrl(challenge));
        var location = await OidcHost.PostLoginAsync(browser, authorize.Headers.Location!.ToString(), "alice", OidcHost.Password);
        using var resumed = await browser.GetAsync(location);
        var tokens = await _host.RedeemAsync(OidcHost.Query(resumed.Headers.Location!)["code"], verifier);
        return tokens.GetProperty("access_token").GetString()!;
    }
}
