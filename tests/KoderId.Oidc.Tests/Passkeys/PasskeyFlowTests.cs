using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Application.Tests.Passkeys;
using KoderId.Oidc.Tests.Clients;
using KoderId.Oidc.Tests.Conformance;
using KoderId.Server.Tests.Api;

namespace KoderId.Oidc.Tests.Passkeys;

/// <summary>
/// Signing in through <c>/v1/auth/flows</c> with the <c>webauthn</c> step (ADR 0006): username-less with a
/// discoverable passkey, as the second factor after a password, and the refusals (replay, another tenant,
/// another user's passkey, a malformed body) as the flow's 401 KID2201 or a 400 with the WebAuthn code.
/// </summary>
public sealed class PasskeyFlowTests : IAsyncLifetime
{
    private const string Flows = OidcHost.Issuer + "/v1/auth/flows";
    private OidcHost _host = null!;
    private SoftwareAuthenticator _authenticator = null!;

    public async Task InitializeAsync()
    {
        _host = await OidcHost.StartAsync();
        _authenticator = new SoftwareAuthenticator(OidcHost.Issuer);
        var access = await SignInAsync();
        using var optionsResponse = await _host.BearerAsync(HttpMethod.Post, OidcHost.Issuer + "/v1/users/me/passkeys/registration-options", access);
        var options = JsonNode.Parse((await ClientHost.JsonAsync(optionsResponse, HttpStatusCode.OK)).GetProperty("publicKey").GetRawText())!.AsObject();
        using var content = Json(new JsonObject { ["credential"] = _authenticator.Create(options), ["name"] = "Key" });
        using var created = await _host.BearerAsync(HttpMethod.Post, OidcHost.Issuer + "/v1/users/me/passkeys", access, content);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    public async Task DisposeAsync()
    {
        _authenticator.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task a_username_less_flow_completes_with_a_user_verified_passkey_as_two_factors()
    {
        var flow = await StartAsync(new JsonObject());
        Assert.Contains("webauthn", flow.GetProperty("steps").EnumerateArray().Select(s => s.GetString()));

        var answer = await AnswerAsync(flow.GetProperty("id").GetString()!, await ChallengeAsync(flow));

        var body = await ClientHost.JsonAsync(answer, HttpStatusCode.OK);
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal(["hwk", "user"], body.GetProperty("amr").EnumerateArray().Select(a => a.GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("session").GetProperty("token").GetString()));
        answer.Dispose();
    }

    [Fact]
    public async Task after_a_password_the_passkey_is_the_second_factor()
    {
        var flow = await StartAsync(new JsonObject { ["username"] = "alice" });
        var id = flow.GetProperty("id").GetString()!;
        using (var password = await PostAsync($"{Flows}/{id}/password", new JsonObject { ["password"] = OidcHost.Password }))
        {
            var pending = await ClientHost.JsonAsync(password, HttpStatusCode.OK);
            Assert.Equal("pending", pending.GetProperty("status").GetString());
            Assert.Contains("webauthn", pending.GetProperty("steps").EnumerateArray().Select(s => s.GetString()));
        }

        using var challenge = await PostAsync($"{Flows}/{id}/webauthn/challenge", new JsonObject());
        var publicKey = JsonNode.Parse((await ClientHost.JsonAsync(challenge, HttpStatusCode.OK)).GetProperty("publicKey").GetRawText())!.AsObject();
        Assert.Single(publicKey["allowCredentials"]!.AsArray());
        _authenticator.UserVerified = false;
        using var answer = await PostAsync($"{Flows}/{id}/webauthn", new JsonObject { ["credential"] = _authenticator.Get(publicKey) });

        var body = await ClientHost.JsonAsync(answer, HttpStatusCode.OK);
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal(["pwd", "hwk"], body.GetProperty("amr").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task a_replayed_assertion_and_another_tenants_flow_get_the_flows_401()
    {
        var flow = await StartAsync(new JsonObject());
        var id = flow.GetProperty("id").GetString()!;
        var credential = _authenticator.Get(await ChallengeAsync(flow));
        using (var first = await PostAsync($"{Flows}/{id}/webauthn", new JsonObject { ["credential"] = credential.DeepClone() }))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // The flow is consumed on completion; a second flow cannot reuse the first one's assertion either.
        var second = await StartAsync(new JsonObject());
        await ChallengeAsync(second);
        using (var replay = await PostAsync($"{Flows}/{second.GetProperty("id").GetString()}/webauthn", new JsonObject { ["credential"] = credential.DeepClone() }))
        {
            await ApiHost.ProblemAsync(replay, HttpStatusCode.Unauthorized, "KID2201");
        }

        // At globex: acme's passkey answering globex's challenge (the RP ID and the lookup both differ).
        using var start = await PostAsync(OidcHost.GlobexIssuer + "/v1/auth/flows", new JsonObject());
        var globex = await ClientHost.JsonAsync(start, HttpStatusCode.Created);
        var globexId = globex.GetProperty("id").GetString()!;
        using var globexChallenge = await PostAsync($"{OidcHost.GlobexIssuer}/v1/auth/flows/{globexId}/webauthn/challenge", new JsonObject());
        var publicKey = JsonNode.Parse((await ClientHost.JsonAsync(globexChallenge, HttpStatusCode.OK)).GetProperty("publicKey").GetRawText())!.AsObject();
        Assert.Equal("globex.koderid.test", publicKey["rpId"]!.GetValue<string>());
        publicKey["rpId"] = "acme.koderid.test";
        using var cross = await PostAsync($"{OidcHost.GlobexIssuer}/v1/auth/flows/{globexId}/webauthn", new JsonObject { ["credential"] = _authenticator.Get(publicKey) });
        await ApiHost.ProblemAsync(cross, HttpStatusCode.Unauthorized, "KID2201");
    }

    [Fact]
    public async Task a_flow_for_another_user_does_not_accept_alices_passkey()
    {
        using (var bob = await _host.Host.Api.SendAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "bob", email = "bob@example.com" }))
        {
            Assert.Equal(HttpStatusCode.Created, bob.StatusCode);
        }

        var flow = await StartAsync(new JsonObject { ["username"] = "bob" });
        using var answer = await AnswerAsync(flow.GetProperty("id").GetString()!, await ChallengeAsync(flow));

        await ApiHost.ProblemAsync(answer, HttpStatusCode.Unauthorized, "KID2201");
    }

    [Fact]
    public async Task an_unknown_name_and_a_user_without_passkeys_get_allow_credentials_shaped_like_a_real_users_every_time()
    {
        using (var bob = await _host.Host.Api.SendAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "bob", email = "bob@example.com" }))
        {
            Assert.Equal(HttpStatusCode.Created, bob.StatusCode);
        }

        var real = await ChallengeAsync(await StartAsync(new JsonObject { ["username"] = "alice" }));
        var unknown = await ChallengeAsync(await StartAsync(new JsonObject { ["username"] = "nobody-here" }));
        var unknownAgain = await ChallengeAsync(await StartAsync(new JsonObject { ["username"] = " Nobody-Here " }));
        var otherUnknown = await ChallengeAsync(await StartAsync(new JsonObject { ["username"] = "nobody-else" }));
        var withoutPasskeys = await ChallengeAsync(await StartAsync(new JsonObject { ["username"] = "bob" }));
        var byEmail = await ChallengeAsync(await StartAsync(new JsonObject { ["username"] = "bob@example.com" }));

        // The same members everywhere, and descriptors of the same form: one to three, each {type, id, transports}.
        foreach (var options in new[] { unknown, unknownAgain, otherUnknown, withoutPasskeys, byEmail })
        {
            Assert.Equal(real.Select(p => p.Key), options.Select(p => p.Key));
            var allow = options["allowCredentials"]!.AsArray();
            Assert.InRange(allow.Count, 1, 3);
            Assert.All(allow, d =>
            {
                Assert.Equal(real["allowCredentials"]![0]!.AsObject().Select(p => p.Key), d!.AsObject().Select(p => p.Key));
                Assert.Equal("public-key", d["type"]!.GetValue<string>());
                Assert.InRange(KoderId.Application.Passkeys.WebAuthn.Base64UrlBytes.TryDecode(d["id"]!.GetValue<string>(), out var id) ? id.Length : 0, 16, 64);
                Assert.NotEmpty(d["transports"]!.AsArray());
            });
        }

        // Stable for a name (as the users model compares names) and for a user whatever name started the flow; distinct otherwise.
        Assert.Equal(Ids(unknown), Ids(unknownAgain));
        Assert.Equal(Ids(withoutPasskeys), Ids(byEmail));
        Assert.NotEqual(Ids(unknown), Ids(otherUnknown));
        Assert.NotEqual(Ids(unknown), Ids(withoutPasskeys));
        Assert.DoesNotContain(Ids(real).Single(), Ids(unknown).Concat(Ids(withoutPasskeys)));

        // A username-less flow still lists nothing, so the browser offers its discoverable passkeys.
        Assert.Empty((await ChallengeAsync(await StartAsync(new JsonObject())))["allowCredentials"]!.AsArray());
    }

    [Fact]
    public async Task an_assertion_for_a_decoy_flow_is_the_flows_401()
    {
        var flow = await StartAsync(new JsonObject { ["username"] = "nobody-here" });
        var publicKey = await ChallengeAsync(flow);

        // Alice's authenticator answers (it ignores allowCredentials): the decoy flow never succeeds.
        using var answer = await AnswerAsync(flow.GetProperty("id").GetString()!, publicKey);

        await ApiHost.ProblemAsync(answer, HttpStatusCode.Unauthorized, "KID2201");
    }

    private static string[] Ids(JsonObject options) => options["allowCredentials"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()).ToArray();

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"credential\":{\"type\":\"public-key\",\"id\":\"AAAA\",\"response\":{\"clientDataJSON\":\"e30\",\"authenticatorData\":\"AA\",\"signature\":\"AA\"},\"rawId\":\"BBBB\"}}")]
    [InlineData("{\"credential\":[]}")]
    public async Task a_malformed_webauthn_answer_is_a_400_with_the_webauthn_code(string body)
    {
        var flow = await StartAsync(new JsonObject());
        await ChallengeAsync(flow);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var answer = await _host.BearerAsync(HttpMethod.Post, $"{Flows}/{flow.GetProperty("id").GetString()}/webauthn", bearer: null, content);

        await ApiHost.ProblemAsync(answer, HttpStatusCode.BadRequest, "KID1343");
    }

    private async Task<JsonElement> StartAsync(JsonObject body)
    {
        using var response = await PostAsync(Flows, body);
        return await ClientHost.JsonAsync(response, HttpStatusCode.Created);
    }

    private async Task<JsonObject> ChallengeAsync(JsonElement flow)
    {
        using var response = await PostAsync($"{Flows}/{flow.GetProperty("id").GetString()}/webauthn/challenge", new JsonObject());
        return JsonNode.Parse((await ClientHost.JsonAsync(response, HttpStatusCode.OK)).GetProperty("publicKey").GetRawText())!.AsObject();
    }

    private Task<HttpResponseMessage> AnswerAsync(string id, JsonObject publicKey) =>
        PostAsync($"{Flows}/{id}/webauthn", new JsonObject { ["credential"] = _authenticator.Get(publicKey) });

    private async Task<HttpResponseMessage> PostAsync(string url, JsonObject body)
    {
        using var content = Json(body);
        return await _host.BearerAsync(HttpMethod.Post, url, bearer: null, content);
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

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
