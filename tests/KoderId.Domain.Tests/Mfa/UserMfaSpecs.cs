using KoderId.Domain.Mfa;
using KoderId.Events.Mfa;

namespace KoderId.Domain.Tests.Mfa;

public sealed class UserMfaSpecs
{
    private const string User = "01JQ4Z8M6X2K9V3T5R7N1P0ABC";
    private const string Secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    private const string Other = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    private static readonly string[] Hashes = [.. Enumerable.Range(0, 10).Select(i => new string((char)('A' + i), 43))];

    private static Spec<UserMfaState> Mfa() => new(UserMfaState.Initial, UserMfa.Evolve);

    private static Spec<UserMfaState> Enrolled(long step = 100) =>
        Mfa().Given(new TotpEnrolmentStarted(User, Secret), new TotpEnrolled(User, TotpSources.Confirmation, step));

    [Fact]
    public void an_enrolment_starts_pending_and_a_confirmation_enrols_the_secret_and_spends_its_step()
    {
        var started = Mfa().When(s => UserMfa.StartTotpEnrolment(s, User, Secret)).Then(new TotpEnrolmentStarted(User, Secret));
        Assert.True(started.After.TotpPending);
        Assert.False(started.After.TotpEnrolled);

        var confirmed = Mfa().Given(new TotpEnrolmentStarted(User, Secret)).When(s => UserMfa.ConfirmTotp(s, User, 100))
            .Then(new TotpEnrolled(User, TotpSources.Confirmation, 100));
        Assert.Equal((Secret, (string?)null, 100L), (confirmed.After.Secret, confirmed.After.PendingSecret, confirmed.After.LastTimeStep));
    }

    [Fact]
    public void restarting_a_pending_enrolment_replaces_its_secret_but_an_enrolled_totp_must_be_removed_first()
    {
        var restarted = Mfa().Given(new TotpEnrolmentStarted(User, Secret)).When(s => UserMfa.StartTotpEnrolment(s, User, Other));
        Assert.Equal(Other, restarted.After.PendingSecret);

        Enrolled().When(s => UserMfa.StartTotpEnrolment(s, User, Other)).ThenFails(DomainErrors.TotpAlreadyEnrolled);
        Enrolled().When(s => UserMfa.ConfirmTotp(s, User, 200)).ThenFails(DomainErrors.TotpAlreadyEnrolled);
    }

    [Fact]
    public void an_enrolment_during_sign_in_is_the_start_and_the_confirmation_in_one_decision_with_recovery_codes_when_given()
    {
        var enrolled = Mfa().Given(new TotpEnrolmentStarted(User, Other))
            .When(s => UserMfa.EnrolConfirmedTotp(s, User, Secret, 100, Hashes))
            .Then(new TotpEnrolmentStarted(User, Secret), new TotpEnrolled(User, TotpSources.Confirmation, 100), new RecoveryCodesGenerated(User, [.. Hashes]));
        Assert.Equal((Secret, (string?)null, 100L, 10), (enrolled.After.Secret, enrolled.After.PendingSecret, enrolled.After.LastTimeStep, enrolled.After.RecoveryCodesRemaining));

        Mfa().When(s => UserMfa.EnrolConfirmedTotp(s, User, Secret, 100, null))
            .Then(new TotpEnrolmentStarted(User, Secret), new TotpEnrolled(User, TotpSources.Confirmation, 100));
        Enrolled().When(s => UserMfa.EnrolConfirmedTotp(s, User, Other, 200, null)).ThenFails(DomainErrors.TotpAlreadyEnrolled);
    }

    [Fact]
    public void confirming_without_a_pending_enrolment_is_refused() =>
        Mfa().When(s => UserMfa.ConfirmTotp(s, User, 100)).ThenFails(DomainErrors.TotpNoPendingEnrolment);

    [Theory]
    [InlineData("")]
    [InlineData("JBSWY3DPEHPK3PX")]
    [InlineData("jbswy3dpehpk3pxp")]
    [InlineData("JBSWY3DPEHPK3PX1")]
    [InlineData("JBSWY3DPEHPK3PXP====")]
    public void a_secret_that_is_not_base32_of_16_to_128_characters_is_refused(string secret) =>
        Mfa().When(s => UserMfa.StartTotpEnrolment(s, User, secret)).ThenFails(DomainErrors.MfaInvalidRequest);

    [Fact]
    public void a_code_is_accepted_once_and_no_step_at_or_before_the_last_accepted_one_is_accepted_again()
    {
        var used = Enrolled(100).When(s => UserMfa.UseTotpCode(s, User, 101)).Then(new TotpCodeUsed(User, 101));
        Assert.Equal(101, used.After.LastTimeStep);

        var after = Enrolled(100).Given(new TotpCodeUsed(User, 101));
        after.When(s => UserMfa.UseTotpCode(s, User, 101)).ThenFails(DomainErrors.TotpCodeReplayed);
        after.When(s => UserMfa.UseTotpCode(s, User, 100)).ThenFails(DomainErrors.TotpCodeReplayed);
        after.When(s => UserMfa.UseTotpCode(s, User, 102)).Then(new TotpCodeUsed(User, 102));

        // The confirming code is spent too.
        Enrolled(100).When(s => UserMfa.UseTotpCode(s, User, 100)).ThenFails(DomainErrors.TotpCodeReplayed);
    }

    [Fact]
    public void a_code_without_an_enrolled_totp_is_refused()
    {
        Mfa().When(s => UserMfa.UseTotpCode(s, User, 1)).ThenFails(DomainErrors.TotpNotFound);
        Mfa().Given(new TotpEnrolmentStarted(User, Secret)).When(s => UserMfa.UseTotpCode(s, User, 1)).ThenFails(DomainErrors.TotpNotFound);
    }

    [Fact]
    public void removing_clears_the_secret_and_the_step_sequence_and_nothing_to_remove_is_refused()
    {
        var removed = Enrolled().When(s => UserMfa.RemoveTotp(s, User, TotpRemovalReasons.User)).Then(new TotpRemoved(User, TotpRemovalReasons.User));
        Assert.Equal((false, false, -1L), (removed.After.TotpEnrolled, removed.After.TotpPending, removed.After.LastTimeStep));

        Mfa().Given(new TotpEnrolmentStarted(User, Secret)).When(s => UserMfa.RemoveTotp(s, User, TotpRemovalReasons.Admin)).Then(new TotpRemoved(User, TotpRemovalReasons.Admin));
        Mfa().When(s => UserMfa.RemoveTotp(s, User, TotpRemovalReasons.User)).ThenFails(DomainErrors.TotpNotFound);
        Enrolled().When(s => UserMfa.RemoveTotp(s, User, "because")).ThenFails(DomainErrors.MfaInvalidRequest);
    }

    [Fact]
    public void an_import_enrols_and_confirms_at_once_and_a_rerun_appends_nothing()
    {
        var imported = Mfa().When(s => UserMfa.ImportTotp(s, User, Secret))
            .Then(new TotpEnrolmentStarted(User, Secret), new TotpEnrolled(User, TotpSources.Import));
        Assert.Equal((Secret, TotpSources.Import), (imported.After.Secret, imported.After.Source));

        Enrolled().When(s => UserMfa.ImportTotp(s, User, Other)).ThenNothing();
    }

    [Fact]
    public void recovery_codes_are_ten_distinct_hashes_each_spent_once_and_a_new_set_replaces_the_old()
    {
        var generated = Mfa().When(s => UserMfa.GenerateRecoveryCodes(s, User, Hashes)).Then(new RecoveryCodesGenerated(User, Hashes));
        Assert.Equal(10, generated.After.RecoveryCodesRemaining);

        var one = Mfa().Given(new RecoveryCodesGenerated(User, Hashes));
        one.When(s => UserMfa.UseRecoveryCode(s, User, 3)).Then(new RecoveryCodeUsed(User, 3));
        one.Given(new RecoveryCodeUsed(User, 3));
        Assert.Equal(9, one.State.RecoveryCodesRemaining);
        one.When(s => UserMfa.UseRecoveryCode(s, User, 3)).ThenFails(DomainErrors.RecoveryCodeInvalid);
        one.When(s => UserMfa.UseRecoveryCode(s, User, -1)).ThenFails(DomainErrors.RecoveryCodeInvalid);
        one.When(s => UserMfa.UseRecoveryCode(s, User, 10)).ThenFails(DomainErrors.RecoveryCodeInvalid);

        one.Given(new RecoveryCodesGenerated(User, [.. Hashes.Reverse()]));
        Assert.Equal(10, one.State.RecoveryCodesRemaining);
    }

    [Fact]
    public void a_recovery_code_set_of_the_wrong_size_with_duplicates_or_not_hashes_is_refused()
    {
        Mfa().When(s => UserMfa.GenerateRecoveryCodes(s, User, Hashes[..9])).ThenFails(DomainErrors.MfaInvalidRequest);
        Mfa().When(s => UserMfa.GenerateRecoveryCodes(s, User, [.. Hashes[..9], Hashes[0]])).ThenFails(DomainErrors.MfaInvalidRequest);
        Mfa().When(s => UserMfa.GenerateRecoveryCodes(s, User, [.. Hashes[..9], "not a hash"])).ThenFails(DomainErrors.MfaInvalidRequest);
        Mfa().When(s => UserMfa.UseRecoveryCode(s, User, 0)).ThenFails(DomainErrors.RecoveryCodeInvalid);
    }

    [Fact]
    public void the_state_and_the_enrolment_event_never_print_the_secret()
    {
        Assert.DoesNotContain(Secret, Enrolled().State.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, new TotpEnrolmentStarted(User, Secret).ToString(), StringComparison.Ordinal);
    }
}
