using System.Net;
using System.Text.Json;
using KoderId.Application.Flows;
using KoderId.EventSourcing.Storage;
using KoderId.Projections.Sessions;
using KoderId.Server.Tests.Api;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;

namespace KoderId.Server.Tests.Flows;

/// <summary>
/// Enrolment during sign-in (ADR 0006): a tenant that requires MFA offers a user without a second factor the
/// <c>totp-enrolment</c> step after the password; its first code enrols the TOTP, returns the recovery codes once and
/// completes the flow with two factors. The real TOTP factor answers here (the fake one of <see cref="FlowsHost"/> is removed).
/// </summary>
public sealed class EnrolmentFlowTests : IAsyncLifetime
{
    private const string Step = "totp-enrolment";
    private FlowsHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await FlowsHost.StartAsync(services: s =>
        {
            foreach (var fake in s.Where(d => d.ServiceType == typeof(IAuthenticationFactor) && d.ImplementationInstance is FakeTotpFactor).ToList())
            {
                s.Remove(fake);
            }
        });
        await _host.Api.OkAsync(HttpMethod.Patch, $"/v1/admin/tenants/{FlowsHost.Tenant}/settings", json: new { mfa = new { required = true } }, mediaType: "application/merge-patch+json");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task a_user_without_a_second_factor_enrols_a_totp_during_sign_in_and_gets_a_two_factor_session()
    {
        var id = await AfterPasswordAsync("alice");

        var (secret, enrolment) = await ChallengeAsync(id);
        Assert.Matches("^[A-Z2-7]{32}$", secret);
        Assert.Equal($"otpauth://totp/Acme:alice?secret={secret}&issuer=Acme&algorithm=SHA1&digits=6&period=30", enrolment.GetProperty("otpauthUri").GetString());
        Assert.StartsWith("data:image/png;base64,", enrolment.GetProperty("qrPng").GetString(), StringComparison.Ordinal);
        Assert.Contains("<svg", enrolment.GetProperty("qrSvg").GetString(), StringComparison.Ordinal);

        // Asking again shows the same secret (a reloaded page), and nothing of it is in the log until a code confirms it.
        Assert.Equal(secret, (await ChallengeAsync(id)).Secret);
        Assert.DoesNotContain(await MfaEventsAsync(_host.AliceId), e => e.EventType.StartsWith("mfa.totp", StringComparison.Ordinal));

        using var answer = await _host.AnswerAsync(id, Step, new { code = Code(secret) });
        var done = await FlowsHost.JsonAsync(answer);

        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(["pwd", "otp"], FlowsHost.Strings(done.GetProperty("amr")));
        Assert.Equal(["password", Step], FlowsHost.Strings(done.GetProperty("completed")));
        Assert.Equal("no-store", answer.Headers.CacheControl?.ToString());
        var codes = FlowsHost.Strings(done.GetProperty("recovery_codes"));
        Assert.Equal(10, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^([a-z2-7]{4}-){7}[a-z2-7]{4}$", c));
        var session = await _host.Api.Factory.Services.GetRequiredService<SessionDirectory>()
            .GetAsync(FlowsHost.Tenant, done.GetProperty("session").GetProperty("id").GetString()!);
        Assert.Equal("urn:koderid:loa:2", session!.Acr);
        Assert.Equal(["pwd", "otp"], session.AuthMethods);

        // The account page's events, in one append.
        Assert.Equal(
            ["mfa.totp-enrolment-started.v1", "mfa.totp-enrolled.v1", "mfa.recovery-codes-generated.v1"],
            (await MfaEventsAsync(_host.AliceId)).Select(e => e.EventType));
        var status = await _host.Api.OkAsync(HttpMethod.Get, $"/v1/users/{_host.AliceId}/mfa", FlowsHost.Tenant);
        Assert.True(status.GetProperty("totpEnrolled").GetBoolean());
        Assert.Equal("confirmation", status.GetProperty("totpSource").GetString());
        Assert.Equal(10, status.GetProperty("recoveryCodesRemaining").GetInt32());
    }

    [Fact]
    public async Task after_enrolling_the_next_sign_in_asks_for_the_totp_and_the_enrolment_code_cannot_be_replayed()
    {
        var id = await AfterPasswordAsync("alice");
        var (secret, _) = await ChallengeAsync(id);
        var code = Code(secret);
        using (var enrolled = await _host.AnswerAsync(id, Step, new { code }))
        {
            Assert.Equal(HttpStatusCode.OK, enrolled.StatusCode);
        }

        using (var again = await _host.AnswerAsync(id, Step, new { code }))
        {
            await ApiHost.ProblemAsync(again, HttpStatusCode.NotFound, FlowErrors.NotFound);
        }

        var next = await AfterPasswordAsync("alice");
        using (var get = new HttpRequestMessage(HttpMethod.Get, $"/v1/auth/flows/{next}"))
        {
            get.Headers.Add("X-Tenant-ID", FlowsHost.Tenant);
            using var flow = await _host.Api.Anonymous.SendAsync(get);
            Assert.Equal(["totp", "recovery-code"], FlowsHost.Strings((await FlowsHost.JsonAsync(flow)).GetProperty("steps")));
        }

        using (var replay = await _host.AnswerAsync(next, "totp", new { code }))
        {
            await ApiHost.ProblemAsync(replay, HttpStatusCode.Unauthorized, FlowErrors.Failed);
        }

        using (var offered = await _host.AnswerAsync(next, Step, new { code }))
        {
            await ApiHost.ProblemAsync(offered, HttpStatusCode.BadRequest, FlowErrors.StepNotOffered);
        }

        _host.Clock.Advance(TimeSpan.FromSeconds(30));
        using var fresh = await _host.AnswerAsync(next, "totp", new { code = Code(secret) });
        var done = await FlowsHost.JsonAsync(fresh);
        Assert.Equal(["pwd", "otp"], FlowsHost.Strings(done.GetProperty("amr")));
        Assert.False(done.TryGetProperty("recovery_codes", out _));
    }

    [Fact]
    public async Task a_wrong_code_is_the_flows_401_and_the_same_secret_still_enrols()
    {
        var id = await AfterPasswordAsync("alice");
        var (secret, _) = await ChallengeAsync(id);
        var right = Code(secret);
        var wrong = right == "123456" ? "654321" : "123456";

        using (var refused = await _host.AnswerAsync(id, Step, new { code = wrong }))
        {
            await ApiHost.ProblemAsync(refused, HttpStatusCode.Unauthorized, FlowErrors.Failed);
        }

        Assert.Empty(await MfaEventsAsync(_host.AliceId));
        using var accepted = await _host.AnswerAsync(id, Step, new { code = right });
        Assert.Equal("completed", (await FlowsHost.JsonAsync(accepted)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task a_code_of_another_flows_secret_is_refused()
    {
        var mine = await AfterPasswordAsync("alice");
        var theirs = await AfterPasswordAsync("alice");
        var (mySecret, _) = await ChallengeAsync(mine);
        var (theirSecret, _) = await ChallengeAsync(theirs);
        Assert.NotEqual(mySecret, theirSecret);
        Assert.NotEqual(Code(mySecret), Code(theirSecret));

        using var answer = await _host.AnswerAsync(mine, Step, new { code = Code(theirSecret) });

        await ApiHost.ProblemAsync(answer, HttpStatusCode.Unauthorized, FlowErrors.Failed);
        Assert.Empty(await MfaEventsAsync(_host.AliceId));
    }

    [Fact]
    public async Task an_expired_flow_enrols_nothing()
    {
        var id = await AfterPasswordAsync("alice");
        var (secret, _) = await ChallengeAsync(id);
        _host.Clock.Advance(FlowEngine.Lifetime + TimeSpan.FromSeconds(1));

        using var answer = await _host.AnswerAsync(id, Step, new { code = Code(secret) });

        await ApiHost.ProblemAsync(answer, HttpStatusCode.NotFound, FlowErrors.NotFound);
        Assert.Empty(await MfaEventsAsync(_host.AliceId));
    }

    [Fact]
    public async Task answering_before_asking_for_the_secret_is_409_and_a_malformed_code_is_400()
    {
        var id = await AfterPasswordAsync("alice");
        using (var early = await _host.AnswerAsync(id, Step, new { code = "123456" }))
        {
            await ApiHost.ProblemAsync(early, HttpStatusCode.Conflict, "KID1330");
        }

        await ChallengeAsync(id);
        foreach (var body in new object[] { new { code = "12345" }, new { code = "abcdef" }, new { code = 123456 }, new { code = "123456", extra = 1 } })
        {
            using var malformed = await _host.AnswerAsync(id, Step, body);
            await ApiHost.ProblemAsync(malformed, HttpStatusCode.BadRequest, "KID1326");
        }
    }

    [Fact]
    public async Task the_enrolment_is_not_offered_before_the_password_nor_to_a_tenant_without_the_requirement()
    {
        var flow = await _host.StartFlowAsync("alice");
        var id = flow.GetProperty("id").GetString()!;
        Assert.DoesNotContain(Step, FlowsHost.Strings(flow.GetProperty("steps")));
        using (var early = await _host.PostAsync($"/v1/auth/flows/{id}/{Step}/challenge", "{}"))
        {
            await ApiHost.ProblemAsync(early, HttpStatusCode.BadRequest, FlowErrors.StepNotOffered);
        }

        await _host.Api.OkAsync(HttpMethod.Patch, $"/v1/admin/tenants/{FlowsHost.Tenant}/settings", json: new { mfa = new { required = false } }, mediaType: "application/merge-patch+json");
        using var answer = await _host.AnswerAsync(id, "password", new { password = FlowsHost.Password });
        var done = await FlowsHost.JsonAsync(answer);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(["pwd"], FlowsHost.Strings(done.GetProperty("amr")));
    }

    [Fact]
    public async Task the_sealed_secret_is_not_in_the_flows_transient_state_in_clear()
    {
        var id = await AfterPasswordAsync("alice");
        var (secret, _) = await ChallengeAsync(id);

        var entry = await _host.Api.Factory.Services.GetRequiredService<ITransientStore>().GetAsync(FlowsHost.Tenant, FlowEngine.Kind, id);

        Assert.NotNull(entry);
        Assert.DoesNotContain(secret, System.Text.Encoding.UTF8.GetString(entry.Value), StringComparison.Ordinal);
    }

    private async Task<string> AfterPasswordAsync(string username)
    {
        var id = (await _host.StartFlowAsync(username)).GetProperty("id").GetString()!;
        using var answer = await _host.AnswerAsync(id, "password", new { password = FlowsHost.Password });
        var pending = await FlowsHost.JsonAsync(answer);
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        return id;
    }

    private async Task<(string Secret, JsonElement Body)> ChallengeAsync(string flowId)
    {
        using var response = await _host.PostAsync($"/v1/auth/flows/{flowId}/{Step}/challenge", "{}");
        var body = await FlowsHost.JsonAsync(response);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return (body.GetProperty("secret").GetString()!, body);
    }

    /// <summary>What the user's app shows now (the host's movable clock), computed with Otp.NET.</summary>
    private string Code(string secret) => new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(_host.Clock.UtcNow.UtcDateTime);

    private async Task<List<StoredEvent>> MfaEventsAsync(string userId)
    {
        var events = new List<StoredEvent>();
        await foreach (var e in _host.Api.Factory.Services.GetRequiredService<IEventStore>().ReadStreamAsync(FlowsHost.Tenant, KoderId.Application.Common.StreamNames.Mfa(FlowsHost.Tenant, userId)))
        {
            events.Add(e);
        }

        return events;
    }
}
