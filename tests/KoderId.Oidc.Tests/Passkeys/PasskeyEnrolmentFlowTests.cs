using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Application.Tests.Passkeys;
using KoderId.Oidc.Tests.Clients;
using KoderId.Oidc.Tests.Conformance;
using KoderId.Projections.Sessions;
using KoderId.Server.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Tests.Passkeys;

/// <summary>
/// <c>webauthn-enrolment</c> (ADR 0006): in a tenant that requires MFA, a user without a second factor may create a
/// passkey after the password instead of enrolling a TOTP; the registration completes the flow with two factors.
/// </summary>
public sealed class PasskeyEnrolmentFlowTests : IAsyncLifetime
{
    private const string Flows = OidcHost.Issuer + "/v1/auth/flows";
    private const string Step = "webauthn-enrolment";
    private OidcHost _host = null!;
    private SoftwareAuthenticator _authenticator = null!;

    public async Task InitializeAsync()
    {
        _host = await OidcHost.StartAsync();
        _authenticator = new SoftwareAuthenticator(OidcHost.Issuer);
        await _host.Host.Api.OkAsync(HttpMethod.Patch, "/v1/admin/tenants/acme/settings", json: new { mfa = new { required = true } }, mediaType: "application/merge-patch+json");
    }

    public async Task DisposeAsync()
    {
        _authenticator.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task a_passkey_created_after_the_password_completes_the_flow_with_two_factors_and_signs_in_next_time()
    {
        var id = await AfterPasswordAsync();
        var options = await ChallengeAsync(id);
        Assert.Equal("acme.koderid.test", options["rp"]!["id"]!.GetValue<string>());

        using var answer = await PostAsync($"{Flows}/{id}/{Step}", new JsonObject { ["credential"] = _authenticator.Create(options) });
        var done = await ClientHost.JsonAsync(answer, HttpStatusCode.OK);

        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(["pwd", "hwk"], done.GetProperty("amr").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(10, done.GetProperty("recovery_codes").GetArrayLength());
        var session = await _host.Host.Api.Factory.Services.GetRequiredService<SessionDirectory>()
            .GetAsync("acme", done.GetProperty("session").GetProperty("id").GetString()!);
        Assert.Equal("urn:koderid:loa:2", session!.Acr);

        // Next time the passkey is the second step, and no enrolment is offered.
        var next = await AfterPasswordAsync(enrolment: false);
        using var get = await _host.BearerAsync(HttpMethod.Get, $"{Flows}/{next}", bearer: null);
        var steps = (await ClientHost.JsonAsync(get, HttpStatusCode.OK)).GetProperty("steps").EnumerateArray().Select(s => s.GetString()).ToArray();
        Assert.Contains("webauthn", steps);
        Assert.DoesNotContain(Step, steps);
        Assert.DoesNotContain("totp-enrolment", steps);
    }

    [Fact]
    public async Task a_response_to_another_flows_options_is_the_flows_401_and_registers_nothing()
    {
        var mine = await AfterPasswordAsync();
        var theirs = await AfterPasswordAsync();
        await ChallengeAsync(mine);
        var theirOptions = await ChallengeAsync(theirs);

        using var answer = await PostAsync($"{Flows}/{mine}/{Step}", new JsonObject { ["credential"] = _authenticator.Create(theirOptions) });

        await ApiHost.ProblemAsync(answer, HttpStatusCode.Unauthorized, "KID2201");
        var mfa = await _host.Host.Api.OkAsync(HttpMethod.Get, $"/v1/users/{_host.UserId}/passkeys", "acme");
        Assert.Equal(0, Items(mfa));
    }

    [Fact]
    public async Task answering_before_the_challenge_is_409_and_a_malformed_body_is_400()
    {
        var id = await AfterPasswordAsync();
        var stray = _authenticator.Create(await ChallengeAsync(await AfterPasswordAsync()));
        using (var early = await PostAsync($"{Flows}/{id}/{Step}", new JsonObject { ["credential"] = stray }))
        {
            await ApiHost.ProblemAsync(early, HttpStatusCode.Conflict, "KID1330");
        }

        await ChallengeAsync(id);
        foreach (var body in new[] { "{}", "{\"credential\":[]}", "{\"credential\":{\"type\":\"public-key\"},\"name\":\"x\"}" })
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var malformed = await _host.BearerAsync(HttpMethod.Post, $"{Flows}/{id}/{Step}", bearer: null, content);
            await ApiHost.ProblemAsync(malformed, HttpStatusCode.BadRequest, "KID1343");
        }
    }

    private static int Items(JsonElement list) =>
        list.ValueKind == JsonValueKind.Array ? list.GetArrayLength() : list.EnumerateObject().First(p => p.Value.ValueKind == JsonValueKind.Array).Value.GetArrayLength();

    private async Task<string> AfterPasswordAsync(bool enrolment = true)
    {
        using var start = await PostAsync(Flows, new JsonObject { ["username"] = "alice" });
        var id = (await ClientHost.JsonAsync(start, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        using var password = await PostAsync($"{Flows}/{id}/password", new JsonObject { ["password"] = OidcHost.Password });
        var pending = await ClientHost.JsonAsync(password, HttpStatusCode.OK);
        Assert.Equal(enrolment, pending.GetProperty("steps").EnumerateArray().Any(s => s.GetString() == Step));
        return id;
    }

    private async Task<JsonObject> ChallengeAsync(string id)
    {
        using var response = await PostAsync($"{Flows}/{id}/{Step}/challenge", new JsonObject());
        return JsonNode.Parse((await ClientHost.JsonAsync(response, HttpStatusCode.OK)).GetProperty("publicKey").GetRawText())!.AsObject();
    }

    private async Task<HttpResponseMessage> PostAsync(string url, JsonObject body)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return await _host.BearerAsync(HttpMethod.Post, url, bearer: null, content);
    }
}
