using System.Net;
using System.Text.Json;
using KoderId.Projections.Sessions;
using KoderId.Server.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Server.Tests.Flows;

/// <summary><c>/v1/auth/flows</c> (ADR 0006): starting, answering, policy, single use, expiry and bad input.</summary>
public sealed class FlowsApiTests : IAsyncLifetime
{
    private FlowsHost _host = null!;

    public async Task InitializeAsync() => _host = await FlowsHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task a_password_user_signs_in_with_one_step_and_gets_a_one_factor_session()
    {
        var flow = await _host.StartFlowAsync("alice");
        Assert.Equal("pending", flow.GetProperty("status").GetString());
        Assert.Contains("password", FlowsHost.Strings(flow.GetProperty("steps")));
        Assert.Empty(FlowsHost.Strings(flow.GetProperty("completed")));
        Assert.True(flow.GetProperty("expires_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(4));

        using var answer = await _host.AnswerAsync(flow.GetProperty("id").GetString()!, "password", new { password = FlowsHost.Password });
        var done = await FlowsHost.JsonAsync(answer);

        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(["pwd"], FlowsHost.Strings(done.GetProperty("amr")));
        var session = done.GetProperty("session");
        Assert.StartsWith(session.GetProperty("id").GetString()! + ".", session.GetProperty("token").GetString(), StringComparison.Ordinal);
        var stored = await _host.Api.Factory.Services.GetRequiredService<SessionDirectory>().GetAsync(FlowsHost.Tenant, session.GetProperty("id").GetString()!);
        Assert.Equal(_host.AliceId, stored!.UserId);
        Assert.Equal("urn:koderid:loa:1", stored.Acr);
        Assert.Equal(["pwd"], stored.AuthMethods);
        Assert.False(answer.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task a_user_with_a_second_factor_gets_a_second_step_and_a_two_factor_session()
    {
        var flow = await _host.StartFlowAsync("bob");
        var id = flow.GetProperty("id").GetString()!;

        using var first = await _host.AnswerAsync(id, "password", new { password = FlowsHost.Password });
        var pending = await FlowsHost.JsonAsync(first);
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        Assert.Equal(["totp"], FlowsHost.Strings(pending.GetProperty("steps")));
        Assert.Equal(["password"], FlowsHost.Strings(pending.GetProperty("completed")));
        Assert.False(pending.TryGetProperty("session", out _));

        using var wrong = await _host.AnswerAsync(id, "totp", new { code = "000000" });
        await ApiHost.ProblemAsync(wrong, HttpStatusCode.Unauthorized, "KID2201");

        using var second = await _host.AnswerAsync(id, "totp", new { code = FakeTotpFactor.Code });
        var done = await FlowsHost.JsonAsync(second);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(["pwd", "otp"], FlowsHost.Strings(done.GetProperty("amr")));
        var stored = await _host.Api.Factory.Services.GetRequiredService<SessionDirectory>()
            .GetAsync(FlowsHost.Tenant, done.GetProperty("session").GetProperty("id").GetString()!);
        Assert.Equal("urn:koderid:loa:2", stored!.Acr);
    }

    [Fact]
    public async Task a_second_factor_step_is_not_offered_before_the_first()
    {
        var flow = await _host.StartFlowAsync("bob");
        Assert.DoesNotContain("totp", FlowsHost.Strings(flow.GetProperty("steps")));

        using var early = await _host.AnswerAsync(flow.GetProperty("id").GetString()!, "totp", new { code = FakeTotpFactor.Code });
        await ApiHost.ProblemAsync(early, HttpStatusCode.BadRequest, "KID2202");
    }

    [Fact]
    public async Task a_tenant_requiring_mfa_offers_a_password_only_user_the_totp_enrolment()
    {
        await _host.Api.OkAsync(HttpMethod.Patch, $"/v1/admin/tenants/{FlowsHost.Tenant}/settings", json: new { mfa = new { required = true } }, mediaType: "application/merge-patch+json");
        var flow = await _host.StartFlowAsync("alice");

        using var answer = await _host.AnswerAsync(flow.GetProperty("id").GetString()!, "password", new { password = FlowsHost.Password });
        var pending = await FlowsHost.JsonAsync(answer);

        // The enrolment itself is EnrolmentFlowTests'.
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        Assert.Equal(["totp-enrolment", "webauthn-enrolment"], FlowsHost.Strings(pending.GetProperty("steps")));
        Assert.False(pending.TryGetProperty("session", out _));
    }

    [Fact]
    public async Task an_unknown_user_gets_a_flow_shaped_like_a_real_one_that_never_succeeds()
    {
        var real = await _host.StartFlowAsync("alice");
        var unknown = await _host.StartFlowAsync("nobody-here");

        Assert.Equal(FlowsHost.Strings(real.GetProperty("steps")), FlowsHost.Strings(unknown.GetProperty("steps")));
        Assert.Equal(
            real.EnumerateObject().Select(p => p.Name),
            unknown.EnumerateObject().Select(p => p.Name));
        using var answer = await _host.AnswerAsync(unknown.GetProperty("id").GetString()!, "password", new { password = FlowsHost.Password });
        await ApiHost.ProblemAsync(answer, HttpStatusCode.Unauthorized, "KID2201");
    }

    [Fact]
    public async Task a_wrong_password_is_401_and_the_flow_stays_usable()
    {
        var id = (await _host.StartFlowAsync("alice")).GetProperty("id").GetString()!;

        using var wrong = await _host.AnswerAsync(id, "password", new { password = "not the password at all" });
        var problem = await ApiHost.ProblemAsync(wrong, HttpStatusCode.Unauthorized, "KID2201");
        Assert.DoesNotContain("not the password", problem.ToString(), StringComparison.Ordinal);

        using var right = await _host.AnswerAsync(id, "password", new { password = FlowsHost.Password });
        Assert.Equal("completed", (await FlowsHost.JsonAsync(right)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task a_completed_flow_is_consumed()
    {
        var id = (await _host.StartFlowAsync("alice")).GetProperty("id").GetString()!;
        using var first = await _host.AnswerAsync(id, "password", new { password = FlowsHost.Password });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var again = await _host.AnswerAsync(id, "password", new { password = FlowsHost.Password });
        await ApiHost.ProblemAsync(again, HttpStatusCode.NotFound, "KID2200");
    }

    [Fact]
    public async Task of_concurrent_right_answers_to_one_flow_exactly_one_gets_a_session()
    {
        var id = (await _host.StartFlowAsync("alice")).GetProperty("id").GetString()!;

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _host.AnswerAsync(id, "password", new { password = FlowsHost.Password })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        foreach (var r in responses)
        {
            r.Dispose();
        }
    }

    [Fact]
    public async Task a_flow_expires_after_five_minutes()
    {
        var id = (await _host.StartFlowAsync("alice")).GetProperty("id").GetString()!;
        _host.Clock.Advance(TimeSpan.FromMinutes(5));

        using var late = await _host.AnswerAsync(id, "password", new { password = FlowsHost.Password });
        await ApiHost.ProblemAsync(late, HttpStatusCode.NotFound, "KID2200");
    }

    [Fact]
    public async Task the_login_header_sets_the_sso_cookie_on_completion()
    {
        var id = (await _host.StartFlowAsync("alice")).GetProperty("id").GetString()!;

        using var answer = await _host.AnswerAsync(id, "password", new { password = FlowsHost.Password }, cookie: true);
        var done = await FlowsHost.JsonAsync(answer);

        var cookie = Assert.Single(answer.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("koderid_session=" + done.GetProperty("session").GetProperty("token").GetString(), cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/v1/auth/flows/unknown-flow-id/password", "{\"password\":\"x\"}", "application/json", HttpStatusCode.NotFound, "KID2200")]
    [InlineData("/v1/auth/flows", "{\"username\":", "application/json", HttpStatusCode.BadRequest, "KID2003")]
    [InlineData("/v1/auth/flows", "[1,2]", "application/json", HttpStatusCode.BadRequest, "KID2003")]
    [InlineData("/v1/auth/flows", "{\"username\":42}", "application/json", HttpStatusCode.BadRequest, "KID2003")]
    [InlineData("/v1/auth/flows", "{\"username\":\"alice\",\"admin\":true}", "application/json", HttpStatusCode.BadRequest, "KID2004")]
    [InlineData("/v1/auth/flows", "username=alice", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "KID2006")]
    public async Task bad_requests_are_4xx_with_a_code(string path, string body, string mediaType, HttpStatusCode status, string code)
    {
        using var response = await _host.PostAsync(path, body, mediaType);
        await ApiHost.ProblemAsync(response, status, code);
    }

    [Theory]
    [InlineData("{\"password\":", "application/json", HttpStatusCode.BadRequest, "KID2003")]
    [InlineData("{\"password\":\"x\",\"extra\":1}", "application/json", HttpStatusCode.BadRequest, "KID1300")]
    [InlineData("{\"pass\":\"x\"}", "application/json", HttpStatusCode.BadRequest, "KID1300")]
    [InlineData("{\"password\":7}", "application/json", HttpStatusCode.BadRequest, "KID1300")]
    [InlineData("{\"password\":\"\"}", "application/json", HttpStatusCode.BadRequest, "KID1300")]
    [InlineData("\"password\"", "application/json", HttpStatusCode.BadRequest, "KID2003")]
    [InlineData("password=x", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "KID2006")]
    public async Task bad_step_bodies_are_4xx_with_a_code(string body, string mediaType, HttpStatusCode status, string code)
    {
        var id = (await _host.StartFlowAsync("alice")).GetProperty("id").GetString()!;

        using var response = await _host.PostAsync($"/v1/auth/flows/{id}/password", body, mediaType);
        await ApiHost.ProblemAsync(response, status, code);
    }

    [Fact]
    public async Task an_oversized_body_is_413()
    {
        var id = (await _host.StartFlowAsync("alice")).GetProperty("id").GetString()!;

        using var response = await _host.PostAsync($"/v1/auth/flows/{id}/password", JsonSerializer.Serialize(new { password = new string('a', 1_100_000) }));
        await ApiHost.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "KID2005");
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("totp")]
    public async Task a_step_the_flow_does_not_offer_is_400(string step)
    {
        var id = (await _host.StartFlowAsync("alice")).GetProperty("id").GetString()!;

        using var response = await _host.AnswerAsync(id, step, new { code = "1" });
        await ApiHost.ProblemAsync(response, HttpStatusCode.BadRequest, "KID2202");
        using var challenge = await _host.PostAsync($"/v1/auth/flows/{id}/{step}/challenge", "{}");
        await ApiHost.ProblemAsync(challenge, HttpStatusCode.BadRequest, "KID2202");
    }

    [Fact]
    public async Task a_flow_of_another_tenant_is_not_found()
    {
        await _host.Api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "globex", name = "Globex" }, expected: HttpStatusCode.Created);
        var id = (await _host.StartFlowAsync("alice")).GetProperty("id").GetString()!;

        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/v1/auth/flows/{id}/password", UriKind.Relative))
        {
            Content = new StringContent(JsonSerializer.Serialize(new { password = FlowsHost.Password }), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Tenant-ID", "globex");
        using var response = await _host.Api.Anonymous.SendAsync(request);
        await ApiHost.ProblemAsync(response, HttpStatusCode.NotFound, "KID2200");
    }
}
