using System.Text.Json;
using System.Text.RegularExpressions;
using KoderId.Application.Flows;
using KoderId.Domain;
using KoderId.Server.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Tests.Email;

/// <summary>The <c>email-otp</c> factor (ADR 0006) against the real host's services: a code and a magic link by real SMTP, each good once, 5 answers per flow.</summary>
public sealed partial class EmailOtpFactorTests : IClassFixture<LocalSmtpServer>, IAsyncLifetime
{
    private readonly LocalSmtpServer _smtp;
    private EmailHost _host = null!;

    public EmailOtpFactorTests(LocalSmtpServer smtp) => _smtp = smtp;

    public async Task InitializeAsync() => _host = await EmailHost.StartAsync(_smtp);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task the_code_mailed_at_begin_proves_possession_once()
    {
        var id = await _host.CreateUserAsync("otto", "otto@example.com", verified: true);
        var flow = NewFlow();

        var challenge = await WithFactorAsync(f => f.BeginAsync(Context(id, flow, null), default).AsTask());
        Assert.Equal("""{"sent":true}""", challenge.Public!.ToJsonString());
        Assert.NotNull(challenge.State);
        var mail = (await _smtp.WaitForAsync("otto@example.com", kind: "login-code"))[0];
        var code = Code(mail.TextBody);
        Assert.DoesNotContain(code, challenge.State, StringComparison.Ordinal);
        var link = LocalSmtpServer.Link(mail, "/ui/login/magic");
        Assert.StartsWith($"https://acme.koderid.test/ui/login/magic?flow={flow}&token=", link.ToString(), StringComparison.Ordinal);

        var outcome = await VerifyAsync(id, flow, challenge.State, new { code });
        Assert.True(outcome.Succeeded);
        Assert.Equal(id, outcome.UserId);
        Assert.Equal(["otp"], outcome.Amr);
        Assert.Equal(FactorKind.Possession, outcome.Kind);

        Assert.False((await VerifyAsync(id, flow, challenge.State, new { code })).Succeeded);
    }

    [Fact]
    public async Task the_magic_link_token_is_accepted_instead_of_the_code()
    {
        var id = await _host.CreateUserAsync("maggie", "maggie@example.com", verified: true);
        var flow = NewFlow();
        var challenge = await WithFactorAsync(f => f.BeginAsync(Context(id, flow, null), default).AsTask());
        var token = EmailHost.Token(LocalSmtpServer.Link((await _smtp.WaitForAsync("maggie@example.com", kind: "login-code"))[0], "/ui/login/magic"));

        Assert.False((await VerifyAsync(id, NewFlow(), challenge.State, new { token })).Succeeded);
        Assert.True((await VerifyAsync(id, flow, challenge.State, new { token })).Succeeded);
    }

    [Fact]
    public async Task five_wrong_answers_use_up_the_flow_even_for_the_right_code()
    {
        var id = await _host.CreateUserAsync("guesser", "guesser@example.com", verified: true);
        var flow = NewFlow();
        var challenge = await WithFactorAsync(f => f.BeginAsync(Context(id, flow, null), default).AsTask());
        var code = Code((await _smtp.WaitForAsync("guesser@example.com", kind: "login-code"))[0].TextBody);
        var wrong = code == "000000" ? "000001" : "000000";

        for (var i = 0; i < 5; i++)
        {
            Assert.False((await VerifyAsync(id, flow, challenge.State, new { code = wrong })).Succeeded);
        }

        Assert.False((await VerifyAsync(id, flow, challenge.State, new { code })).Succeeded);
    }

    [Fact]
    public async Task only_a_user_with_a_verified_address_in_a_tenant_that_allows_it_is_offered_the_step()
    {
        var verified = await _host.CreateUserAsync("ver", "ver@example.com", verified: true);
        var pending = await _host.CreateUserAsync("pend", "pend@example.com");

        Assert.True(await WithFactorAsync(f => f.IsAvailableAsync("acme", verified, default).AsTask()));
        Assert.False(await WithFactorAsync(f => f.IsAvailableAsync("acme", pending, default).AsTask()));
        Assert.False(await WithFactorAsync(f => f.IsAvailableAsync("acme", "nobody", default).AsTask()));
        Assert.False(await WithFactorAsync(f => f.IsAvailableAsync("acme", null, default).AsTask()));
        Assert.False(await WithFactorAsync(f => f.IsAvailableAsync("globex", verified, default).AsTask()));

        await _host.Api.OkAsync(HttpMethod.Patch, "/v1/admin/tenants/acme/settings", json: new { email = new { allowEmailOtp = false } }, mediaType: "application/merge-patch+json");
        Assert.False(await WithFactorAsync(f => f.IsAvailableAsync("acme", verified, default).AsTask()));
    }

    [Fact]
    public async Task an_unknown_user_gets_the_same_answer_no_mail_and_a_state_nothing_matches()
    {
        var flow = NewFlow();
        var challenge = await WithFactorAsync(f => f.BeginAsync(Context("nobody", flow, null), default).AsTask());

        Assert.Equal("""{"sent":true}""", challenge.Public!.ToJsonString());
        Assert.False((await VerifyAsync("nobody", flow, challenge.State, new { code = "123456" })).Succeeded);
        Assert.False((await VerifyAsync("nobody", flow, null, new { code = "123456" })).Succeeded);
        Assert.False((await VerifyAsync("nobody", flow, "forged-state", new { code = "123456" })).Succeeded);
    }

    [Fact]
    public async Task a_malformed_answer_is_the_factors_own_4xx_code()
    {
        foreach (var body in new object[] { new { }, new { code = "12345" }, new { code = "abcdef" }, new { code = "123456", token = "x" }, new { pin = "123456" }, new { token = new string('a', 200) }, new[] { 1 } })
        {
            var ex = await Assert.ThrowsAsync<DomainException>(() => VerifyAsync("u", NewFlow(), "s", body));
            Assert.Equal("KID1374", ex.Code);
        }

        Assert.Equal(400, Server.Errors.DomainErrorStatus.Of(new DomainException("KID1374", "x")));
    }

    private static string NewFlow() => Guid.NewGuid().ToString("N");

    private static FactorContext Context(string userId, string flow, string? state) => new("acme", userId, flow, state, "https://acme.koderid.test");

    private Task<FactorOutcome> VerifyAsync(string userId, string flow, string? state, object body)
    {
        var input = JsonSerializer.SerializeToElement(body);
        return WithFactorAsync(f => f.VerifyAsync(Context(userId, flow, state), input, default).AsTask());
    }

    private async Task<T> WithFactorAsync<T>(Func<IAuthenticationFactor, Task<T>> use)
    {
        using var scope = _host.Api.Factory.Services.CreateScope();
        var factor = scope.ServiceProvider.GetServices<IAuthenticationFactor>().Single(f => f.Step == "email-otp");
        return await use(factor);
    }

    private static string Code(string? text)
    {
        var match = SixDigits().Match(text ?? "");
        Assert.True(match.Success, "no code in the mail");
        return match.Value;
    }

    [GeneratedRegex("\\b[0-9]{6}\\b")]
    private static partial Regex SixDigits();
}
