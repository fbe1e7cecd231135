using System.Text.RegularExpressions;
using KoderId.Application.Common;
using KoderId.Application.Credentials.Commands;
using KoderId.Application.Email;
using KoderId.Application.Sessions;
using KoderId.Application.Tenants;
using KoderId.Application.Tests.Grants;
using KoderId.Application.Tests.Users;
using KoderId.Application.Users;
using KoderId.Domain;
using KoderId.Events.Credentials;
using KoderId.Events.Users;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Application.Tests.Email;

/// <summary>The email commands on the write side (ADR 0006): what they append, what they queue, and what they refuse.</summary>
public sealed partial class EmailCommandTests : IAsyncLifetime
{
    private const string Password = "correct horse battery staple 42";
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private WriteSide _app = null!;
    private string _alice = "";

    public async Task InitializeAsync()
    {
        _app = new WriteSide(configure: s => s.AddSingleton<IClock>(_clock));
        await _app.SendAsync(new CreateTenant("acme", "Acme"));
        await _app.SendAsync(new CreateTenant("globex", "Globex"));
        _alice = (await _app.SendAsync(new CreateUser("acme", "alice", "alice@example.com"))).UserId;
        await _app.SendAsync(new SetPassword("acme", _alice, Password));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task a_verification_link_appends_email_verified_once()
    {
        Assert.Equal(EmailSendResult.Queued, await _app.SendAsync(new SendEmailVerification("acme", _alice)));
        var message = Dequeue();
        Assert.Equal("email-verification", message.Kind);
        Assert.Equal("alice@example.com", message.To);
        var token = Token(message, "/ui/email/verify");
        Assert.StartsWith("https://acme.id.example.com/ui/email/verify?token=", Link(message, "/ui/email/verify"), StringComparison.Ordinal);
        Assert.DoesNotContain(token, message.ToString(), StringComparison.Ordinal);

        Assert.True((await _app.SendAsync(new ConfirmEmailVerification("acme", token))).Changed);
        Assert.Equal(DomainErrors.EmailLinkInvalid, await _app.FailsWithAsync(new ConfirmEmailVerification("acme", token)));
        var last = (await _app.ReadStreamAsync("acme", StreamNames.User("acme", _alice)))[^1].Event;
        Assert.Equal(new UserEmailVerified(_alice, "alice@example.com"), last);
    }

    [Fact]
    public async Task a_second_verification_within_a_minute_is_throttled_and_a_verified_address_refused()
    {
        Assert.Equal(EmailSendResult.Queued, await _app.SendAsync(new SendEmailVerification("acme", _alice)));
        Assert.Equal(EmailSendResult.Throttled, await _app.SendAsync(new SendEmailVerification("acme", _alice)));
        await _app.SendAsync(new ConfirmEmailVerification("acme", Token(Dequeue(), "/ui/email/verify")));

        Assert.Equal(DomainErrors.EmailAlreadyVerified, await _app.FailsWithAsync(new SendEmailVerification("acme", _alice)));
    }

    [Fact]
    public async Task a_link_is_refused_after_its_lifetime_at_another_tenant_and_for_another_purpose()
    {
        await _app.SendAsync(new SendEmailVerification("acme", _alice));
        var token = Token(Dequeue(), "/ui/email/verify");

        Assert.Equal(DomainErrors.EmailLinkInvalid, await _app.FailsWithAsync(new ConfirmEmailVerification("globex", token)));
        Assert.Equal(DomainErrors.EmailLinkInvalid, await _app.FailsWithAsync(new ResetPasswordWithLink("acme", token, "another long passphrase 9")));
        Assert.Equal(DomainErrors.EmailLinkInvalid, await _app.FailsWithAsync(new ConfirmEmailVerification("acme", token[..^2] + "00")));
        _clock.Advance(EmailLinks.VerifyLifetime);
        Assert.Equal(DomainErrors.EmailLinkInvalid, await _app.FailsWithAsync(new ConfirmEmailVerification("acme", token)));
    }

    [Fact]
    public async Task a_reset_sets_the_password_with_reason_reset_and_revokes_every_session()
    {
        await _app.SendAsync(new VerifyUserEmail("acme", _alice, "alice@example.com"));
        var session = await _app.SendAsync(new StartSession("acme", _alice, ["pwd"], "urn:koderid:loa:1"));
        Assert.True(await _app.SendAsync(new RequestPasswordReset("acme", _alice)));
        Assert.False(await _app.SendAsync(new RequestPasswordReset("acme", _alice)));
        var token = Token(Dequeue(), "/ui/password/reset");
        Assert.False(_app.Services.GetRequiredService<EmailOutbox>().Reader.TryRead(out _));

        await _app.SendAsync(new ResetPasswordWithLink("acme", token, "another long passphrase 9"));

        var set = (await _app.ReadStreamAsync("acme", StreamNames.User("acme", _alice))).Select(e => e.Event).OfType<UserPasswordSet>().Last();
        Assert.Equal(PasswordSetReasons.Reset, set.Reason);
        var revoked = (await _app.ReadStreamAsync("acme", StreamNames.Session("acme", session.SessionId))).Select(e => e.Event).Last();
        Assert.Contains("Revoked", revoked.GetType().Name, StringComparison.Ordinal);
        Assert.Equal(DomainErrors.EmailLinkInvalid, await _app.FailsWithAsync(new ResetPasswordWithLink("acme", token, "a third long passphrase 8")));
    }

    [Fact]
    public async Task a_reset_for_nobody_or_an_unverified_address_queues_nothing()
    {
        Assert.False(await _app.SendAsync(new RequestPasswordReset("acme", null)));
        Assert.False(await _app.SendAsync(new RequestPasswordReset("acme", "no-such-user")));
        Assert.False(await _app.SendAsync(new RequestPasswordReset("acme", _alice)));
        Assert.False(_app.Services.GetRequiredService<EmailOutbox>().Reader.TryRead(out _));
    }

    private EmailMessage Dequeue()
    {
        Assert.True(_app.Services.GetRequiredService<EmailOutbox>().Reader.TryRead(out var message));
        return message!;
    }

    private static string Link(EmailMessage message, string path) => Regex.Match(message.Text, "https://\\S+" + Regex.Escape(path) + "\\?token=\\S+").Value;

    private static string Token(EmailMessage message, string path) => Uri.UnescapeDataString(Link(message, path).Split("?token=")[1]);
}
