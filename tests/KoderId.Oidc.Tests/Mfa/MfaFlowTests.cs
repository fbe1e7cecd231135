using System.Net;
using System.Text;
using System.Text.Json;
using KoderId.Oidc.Tests.Clients;
using KoderId.Oidc.Tests.Conformance;
using KoderId.Server.Tests.Api;

namespace KoderId.Oidc.Tests.Mfa;

/// <summary>Signing in through <c>/v1/auth/flows</c> with the real <c>totp</c> and <c>recovery-code</c> steps after the password.</summary>
public sealed class MfaFlowTests(MfaHost fixture) : IClassFixture<MfaHost>
{
    private const string Flows = OidcHost.Issuer + "/v1/auth/flows";

    [Fact]
    public async Task a_user_with_a_confirmed_totp_signs_in_with_the_password_and_a_code_and_the_code_works_once()
    {
        var user = await fixture.NewUserAsync();
        var secret = await EnrolAsync(user);
        fixture.Time.Advance(TimeSpan.FromSeconds(30));

        var id = await PasswordStepAsync(user, expectSteps: ["totp"]);
        var code = fixture.Code(secret);
        var done = await JsonAsync(await PostAsync($"{Flows}/{id}/totp", $$"""{"code": "{{code}}"}"""), HttpStatusCode.OK);

        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(["pwd", "otp"], done.GetProperty("amr").EnumerateArray().Select(a => a.GetString()));
        Assert.True(done.GetProperty("session").TryGetProperty("token", out _));

        // The same code in a new flow is a replay: the same 401 as a wrong code.
        var again = await PasswordStepAsync(user, expectSteps: ["totp"]);
        using var replay = await PostAsync($"{Flows}/{again}/totp", $$"""{"code": "{{code}}"}""");
        await ApiHost.ProblemAsync(replay, HttpStatusCode.Unauthorized, "KID2201");
    }

    [Fact]
    public async Task a_recovery_code_is_a_second_step_once_and_a_malformed_code_is_a_4xx_with_the_factors_code()
    {
        var user = await fixture.NewUserAsync();
        await EnrolAsync(user);
        var codes = (await JsonAsync(await fixture.MeAsync(HttpMethod.Post, "/recovery-codes", user.Access), HttpStatusCode.OK))
            .GetProperty("codes").EnumerateArray().Select(c => c.GetString()!).ToArray();

        var id = await PasswordStepAsync(user, expectSteps: ["totp", "recovery-code"]);
        using (var malformed = await PostAsync($"{Flows}/{id}/totp", """{"code": "12a456"}"""))
        {
            await ApiHost.ProblemAsync(malformed, HttpStatusCode.BadRequest, "KID1326");
        }

        using (var malformedRecovery = await PostAsync($"{Flows}/{id}/recovery-code", """{"code": "nope"}"""))
        {
            await ApiHost.ProblemAsync(malformedRecovery, HttpStatusCode.BadRequest, "KID1327");
        }

        var done = await JsonAsync(await PostAsync($"{Flows}/{id}/recovery-code", $$"""{"code": "{{codes[3]}}"}"""), HttpStatusCode.OK);
        Assert.Equal("completed", done.GetProperty("status").GetString());

        var again = await PasswordStepAsync(user, expectSteps: ["totp", "recovery-code"]);
        using var replay = await PostAsync($"{Flows}/{again}/recovery-code", $$"""{"code": "{{codes[3]}}"}""");
        await ApiHost.ProblemAsync(replay, HttpStatusCode.Unauthorized, "KID2201");
    }

    [Fact]
    public async Task an_acme_users_code_is_useless_in_a_globex_flow()
    {
        var user = await fixture.NewUserAsync();
        var secret = await EnrolAsync(user);
        fixture.Time.Advance(TimeSpan.FromSeconds(30));

        var flow = await JsonAsync(await PostAsync(OidcHost.GlobexIssuer + "/v1/auth/flows", JsonSerializer.Serialize(new { username = user.Username })), HttpStatusCode.Created);
        var id = flow.GetProperty("id").GetString()!;
        using (var password = await PostAsync($"{OidcHost.GlobexIssuer}/v1/auth/flows/{id}/password", JsonSerializer.Serialize(new { password = OidcHost.Password })))
        {
            await ApiHost.ProblemAsync(password, HttpStatusCode.Unauthorized, "KID2201");
        }

        using (var totp = await PostAsync($"{OidcHost.GlobexIssuer}/v1/auth/flows/{id}/totp", $$"""{"code": "{{fixture.Code(secret)}}"}"""))
        {
            await ApiHost.ProblemAsync(totp, HttpStatusCode.BadRequest, "KID2202");
        }

        using (var atAcme = await PostAsync($"{Flows}/{id}/password", JsonSerializer.Serialize(new { password = OidcHost.Password })))
        {
            await ApiHost.ProblemAsync(atAcme, HttpStatusCode.NotFound, "KID2200");
        }
    }

    private async Task<string> EnrolAsync(SignedInUser user)
    {
        var secret = (await JsonAsync(await fixture.MeAsync(HttpMethod.Post, "/totp", user.Access), HttpStatusCode.OK)).GetProperty("secret").GetString()!;
        using var confirmed = await fixture.MeAsync(HttpMethod.Post, "/totp/confirm", user.Access, $$"""{"code": "{{fixture.Code(secret)}}"}""");
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        return secret;
    }

    private async Task<string> PasswordStepAsync(SignedInUser user, string[] expectSteps)
    {
        var flow = await JsonAsync(await PostAsync(Flows, JsonSerializer.Serialize(new { username = user.Username })), HttpStatusCode.Created);
        var id = flow.GetProperty("id").GetString()!;
        var pending = await JsonAsync(await PostAsync($"{Flows}/{id}/password", JsonSerializer.Serialize(new { password = OidcHost.Password })), HttpStatusCode.OK);
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        Assert.Equal(expectSteps, pending.GetProperty("steps").EnumerateArray().Select(s => s.GetString()!));
        return id;
    }

    private Task<HttpResponseMessage> PostAsync(string url, string json) =>
        fixture.Host.BearerAsync(HttpMethod.Post, url, bearer: null, new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        using (response)
        {
            return await ClientHost.JsonAsync(response, status);
        }
    }
}
