using System.Text.Json;
using KoderId.Application.Common;
using KoderId.Application.Credentials;
using KoderId.Application.Credentials.Commands;
using KoderId.Application.Flows;
using KoderId.Application.Mfa;
using KoderId.Application.Tenants;
using KoderId.Application.Tests.Users;
using KoderId.Application.Users;
using KoderId.Domain;
using KoderId.Events.Mfa;
using KoderId.EventSourcing.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Application.Tests.Mfa;

/// <summary>TOTP and recovery codes through the generated Mediator on the in-memory store, at a fixed time the test moves.</summary>
public sealed class MfaCommandTests : IAsyncLifetime
{
    private const string Password = "correct horse battery staple";
    private static readonly PasswordHashingPolicy Cheap = new(MemoryKiB: 1024, Iterations: 1, Parallelism: 1);

    private readonly FixedClock _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 10, TimeSpan.Zero));
    private readonly WriteSide _app;
    private string _alice = "";
    private string _carol = "";

    public MfaCommandTests() => _app = new WriteSide(configure: s =>
    {
        s.AddSingleton<IClock>(_clock);
        s.AddSingleton<ICredentialPolicies>(new FixedPolicies(new CredentialPolicy(PasswordPolicy.Default, Cheap)));
    });

    public async Task InitializeAsync()
    {
        await _app.SendAsync(new CreateTenant("acme", "Acme Corp"));
        await _app.SendAsync(new CreateTenant("globex", "Globex"));
        _alice = (await _app.SendAsync(new CreateUser("acme", "alice", "alice@example.com"))).UserId;
        _carol = (await _app.SendAsync(new CreateUser("globex", "carol", "carol@example.com"))).UserId;
        await _app.SendAsync(new SetPassword("acme", _alice, Password));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private long Now => TotpCodes.StepAt(_clock.UtcNow);

    [Fact]
    public async Task starting_an_enrolment_returns_a_160_bit_secret_and_its_otpauth_uri_with_the_tenant_as_issuer()
    {
        var enrolment = await _app.SendAsync(new StartTotpEnrolment("acme", _alice));

        Assert.Matches("^[A-Z2-7]{32}$", enrolment.Secret);
        Assert.Equal(
            $"otpauth://totp/Acme%20Corp:alice?secret={enrolment.Secret}&issuer=Acme%20Corp&algorithm=SHA1&digits=6&period=30",
            enrolment.OtpAuthUri);
        Assert.DoesNotContain(enrolment.Secret, enrolment.ToString(), StringComparison.Ordinal);
        var status = await _app.QueryAsync(new GetMfaStatus("acme", _alice));
        Assert.Equal(new MfaStatus(false, true, null, 0, 0), status);
    }

    [Fact]
    public async Task the_secret_is_encrypted_in_the_log_and_readable_through_the_serializer()
    {
        var enrolment = await _app.SendAsync(new StartTotpEnrolment("acme", _alice));

        var raw = (await _app.ReadAllAsync()).Single(e => e.EventType == "mfa.totp-enrolment-started.v1");
        Assert.DoesNotContain(enrolment.Secret, raw.Data, StringComparison.Ordinal);
        Assert.Contains("kid:enc:v1:", raw.Data, StringComparison.Ordinal);
        var decoded = Assert.IsType<TotpEnrolmentStarted>((await _app.ReadStreamAsync("acme", $"mfa-acme-{_alice}"))[0].Event);
        Assert.Equal(enrolment.Secret, decoded.Secret);
    }

    [Fact]
    public async Task a_current_code_confirms_the_enrolment_and_cannot_then_sign_in()
    {
        var secret = (await _app.SendAsync(new StartTotpEnrolment("acme", _alice))).Secret;
        var code = TotpCodes.CodeAt(secret, Now);

        var result = await _app.SendAsync(new ConfirmTotp("acme", _alice, code));

        Assert.True(result.Changed);
        Assert.Equal(new MfaStatus(true, false, TotpSources.Confirmation, 0, 0), await _app.QueryAsync(new GetMfaStatus("acme", _alice)));
        Assert.False(await _app.SendAsync(new VerifyTotp("acme", _alice, code)));
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(1, true)]
    [InlineData(-2, false)]
    [InlineData(2, false)]
    public async Task a_confirmation_accepts_one_step_either_side_of_now_and_refuses_two(int offset, bool accepted)
    {
        var secret = (await _app.SendAsync(new StartTotpEnrolment("acme", _alice))).Secret;
        var command = new ConfirmTotp("acme", _alice, TotpCodes.CodeAt(secret, Now + offset));

        if (accepted)
        {
            Assert.True((await _app.SendAsync(command)).Changed);
        }
        else
        {
            Assert.Equal(DomainErrors.TotpInvalidCode, await _app.FailsWithAsync(command));
        }
    }

    [Theory]
    [InlineData("12a456")]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("")]
    [InlineData("١٢٣٤٥٦")]
    public async Task a_malformed_code_is_refused_before_anything_is_read(string code)
    {
        await _app.SendAsync(new StartTotpEnrolment("acme", _alice));

        Assert.Equal(DomainErrors.TotpMalformedCode, await _app.FailsWithAsync(new ConfirmTotp("acme", _alice, code)));
        await Assert.ThrowsAsync<DomainException>(() => _app.SendAsync(new VerifyTotp("acme", _alice, code)));
    }

    [Fact]
    public async Task confirming_without_a_pending_enrolment_or_twice_is_refused()
    {
        Assert.Equal(DomainErrors.TotpNoPendingEnrolment, await _app.FailsWithAsync(new ConfirmTotp("acme", _alice, "123456")));

        await EnrolAsync();
        Assert.Equal(DomainErrors.TotpAlreadyEnrolled, await _app.FailsWithAsync(new ConfirmTotp("acme", _alice, "123456")));
        Assert.Equal(DomainErrors.TotpAlreadyEnrolled, await _app.FailsWithAsync(new StartTotpEnrolment("acme", _alice)));
        Assert.Equal(DomainErrors.TotpNoPendingEnrolment, (await Assert.ThrowsAsync<DomainException>(() => _app.QueryAsync(new GetPendingTotp("acme", _alice)))).Code);
    }

    [Fact]
    public async Task a_code_signs_in_once_a_replay_fails_and_so_does_an_older_code_after_a_newer_one()
    {
        var secret = await EnrolAsync();
        _clock.Advance(TimeSpan.FromSeconds(60));

        Assert.True(await _app.SendAsync(new VerifyTotp("acme", _alice, TotpCodes.CodeAt(secret, Now))));
        Assert.False(await _app.SendAsync(new VerifyTotp("acme", _alice, TotpCodes.CodeAt(secret, Now))));
        Assert.False(await _app.SendAsync(new VerifyTotp("acme", _alice, TotpCodes.CodeAt(secret, Now - 1))));
        Assert.True(await _app.SendAsync(new VerifyTotp("acme", _alice, TotpCodes.CodeAt(secret, Now + 1))));
        Assert.False(await _app.SendAsync(new VerifyTotp("acme", _alice, TotpCodes.CodeAt(secret, Now))));

        var used = (await _app.ReadStreamAsync("acme", $"mfa-acme-{_alice}")).Select(e => e.Event).OfType<TotpCodeUsed>().Select(e => e.TimeStep);
        Assert.Equal([Now, Now + 1], used);
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(1, true)]
    [InlineData(-2, false)]
    [InlineData(2, false)]
    public async Task a_sign_in_accepts_one_step_either_side_of_now_and_refuses_two(int offset, bool accepted)
    {
        var secret = await EnrolAsync();
        _clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(accepted, await _app.SendAsync(new VerifyTotp("acme", _alice, TotpCodes.CodeAt(secret, Now + offset))));
    }

    [Fact]
    public async Task a_wrong_code_no_totp_and_another_tenants_user_all_fail_alike()
    {
        Assert.False(await _app.SendAsync(new VerifyTotp("acme", _alice, "000000")));
        var secret = await EnrolAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));
        var code = TotpCodes.CodeAt(secret, Now);
        var wrong = code == "000000" ? "000001" : "000000";

        Assert.False(await _app.SendAsync(new VerifyTotp("acme", _alice, wrong)));
        Assert.False(await _app.SendAsync(new VerifyTotp("globex", _alice, code)));
        Assert.False(await _app.SendAsync(new VerifyTotp("acme", _carol, code)));
        Assert.False(await _app.SendAsync(new VerifyTotp("acme", "not a user id", code)));
        Assert.True(await _app.SendAsync(new VerifyTotp("acme", _alice, code)));
    }

    [Fact]
    public async Task of_parallel_uses_of_one_code_exactly_one_succeeds()
    {
        var secret = await EnrolAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));
        var code = TotpCodes.CodeAt(secret, Now);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => _app.SendAsync(new VerifyTotp("acme", _alice, code)))));

        Assert.Single(results, r => r);
        Assert.Single((await _app.ReadStreamAsync("acme", $"mfa-acme-{_alice}")).Select(e => e.Event).OfType<TotpCodeUsed>());
    }

    [Fact]
    public async Task a_disabled_or_erased_user_cannot_use_a_code_and_erasure_leaves_no_usable_secret()
    {
        var secret = await EnrolAsync();
        var codes = await _app.SendAsync(new GenerateRecoveryCodes("acme", _alice));
        _clock.Advance(TimeSpan.FromMinutes(1));
        await _app.SendAsync(new DisableUser("acme", _alice, "test"));

        Assert.False(await _app.SendAsync(new VerifyTotp("acme", _alice, TotpCodes.CodeAt(secret, Now))));
        Assert.False(await _app.SendAsync(new UseRecoveryCode("acme", _alice, codes.Codes[0])));

        await _app.SendAsync(new EnableUser("acme", _alice));
        await _app.SendAsync(new DeleteUser("acme", _alice));
        await _app.SendAsync(new EraseUser("acme", _alice));
        var erased = (await _app.ReadStreamAsync("acme", $"mfa-acme-{_alice}")).Select(e => e.Event).OfType<TotpEnrolmentStarted>().Single();
        Assert.Equal(KoderId.EventSourcing.Serialization.PersonalData.Erased, erased.Secret);
        Assert.False(await _app.SendAsync(new VerifyTotp("acme", _alice, TotpCodes.CodeAt(secret, Now + 1))));
    }

    [Fact]
    public async Task ten_recovery_codes_are_shown_once_stored_hashed_and_each_works_once()
    {
        var set = await _app.SendAsync(new GenerateRecoveryCodes("acme", _alice));

        Assert.Equal(10, set.Codes.Distinct().Count());
        Assert.All(set.Codes, c => Assert.Matches("^[a-z2-7]{4}(-[a-z2-7]{4}){7}$", c));
        Assert.DoesNotContain(set.Codes[0], set.ToString(), StringComparison.Ordinal);
        var log = string.Join("\n", (await _app.ReadAllAsync()).Select(e => e.Data));
        Assert.All(set.Codes, c => Assert.DoesNotContain(RecoveryCodes.Normalize(c), log, StringComparison.Ordinal));
        Assert.Contains(RecoveryCodes.Hash(RecoveryCodes.Normalize(set.Codes[4])), log, StringComparison.Ordinal);

        // Typed in upper case with spaces instead of dashes.
        Assert.True(await _app.SendAsync(new UseRecoveryCode("acme", _alice, set.Codes[4].ToUpperInvariant().Replace('-', ' '))));
        Assert.False(await _app.SendAsync(new UseRecoveryCode("acme", _alice, set.Codes[4])));
        Assert.Equal(9, (await _app.QueryAsync(new GetMfaStatus("acme", _alice))).RecoveryCodesRemaining);
        Assert.False(await _app.SendAsync(new UseRecoveryCode("globex", _alice, set.Codes[5])));
        Assert.True(await _app.SendAsync(new UseRecoveryCode("acme", _alice, set.Codes[5])));
    }

    [Fact]
    public async Task regenerating_replaces_every_code()
    {
        var old = await _app.SendAsync(new GenerateRecoveryCodes("acme", _alice));
        var fresh = await _app.SendAsync(new GenerateRecoveryCodes("acme", _alice));

        Assert.Empty(old.Codes.Intersect(fresh.Codes));
        Assert.False(await _app.SendAsync(new UseRecoveryCode("acme", _alice, old.Codes[0])));
        Assert.True(await _app.SendAsync(new UseRecoveryCode("acme", _alice, fresh.Codes[0])));
        Assert.Equal(new MfaStatus(false, false, null, 9, 10), await _app.QueryAsync(new GetMfaStatus("acme", _alice)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abcd-efgh")]
    [InlineData("abcd-efgh-ijkl-mnop-qrst-uvwx-yz23-45678")]
    [InlineData("abcd-efgh-ijkl-mnop-qrst-uvwx-yz23-4561")]
    [InlineData("abcd-efgh-ijkl-mnop-qrst-uvwx-yz23-456!")]
    public async Task a_malformed_recovery_code_is_refused(string code)
    {
        await _app.SendAsync(new GenerateRecoveryCodes("acme", _alice));

        Assert.Equal(DomainErrors.RecoveryCodeMalformed, (await Assert.ThrowsAsync<DomainException>(() => _app.SendAsync(new UseRecoveryCode("acme", _alice, code)))).Code);
    }

    [Fact]
    public async Task of_parallel_uses_of_one_recovery_code_exactly_one_succeeds()
    {
        var set = await _app.SendAsync(new GenerateRecoveryCodes("acme", _alice));

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => _app.SendAsync(new UseRecoveryCode("acme", _alice, set.Codes[2])))));

        Assert.Single(results, r => r);
        Assert.Single((await _app.ReadStreamAsync("acme", $"mfa-acme-{_alice}")).Select(e => e.Event).OfType<RecoveryCodeUsed>());
    }

    [Fact]
    public async Task removing_your_own_totp_needs_the_password_or_a_current_code()
    {
        var secret = await EnrolAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(DomainErrors.MfaReauthenticationRequired, await _app.FailsWithAsync(new RemoveTotp("acme", _alice, TotpRemovalProof.InRequest)));
        Assert.Equal(DomainErrors.MfaReauthenticationRequired, await _app.FailsWithAsync(new RemoveTotp("acme", _alice, TotpRemovalProof.InRequest, CurrentPassword: "wrong")));
        Assert.Equal(DomainErrors.MfaReauthenticationRequired, await _app.FailsWithAsync(new RemoveTotp("acme", _alice, TotpRemovalProof.InRequest, CurrentCode: TotpCodes.CodeAt(secret, Now - 3))));
        Assert.Equal(DomainErrors.TotpMalformedCode, await _app.FailsWithAsync(new RemoveTotp("acme", _alice, TotpRemovalProof.InRequest, CurrentCode: "abc")));
        Assert.True((await _app.QueryAsync(new GetMfaStatus("acme", _alice))).TotpEnrolled);

        Assert.True((await _app.SendAsync(new RemoveTotp("acme", _alice, TotpRemovalProof.InRequest, CurrentPassword: Password))).Changed);
        Assert.False((await _app.QueryAsync(new GetMfaStatus("acme", _alice))).TotpEnrolled);
        Assert.Equal(TotpRemovalReasons.User, Assert.IsType<TotpRemoved>((await _app.ReadStreamAsync("acme", $"mfa-acme-{_alice}"))[^1].Event).Reason);
        Assert.Equal(DomainErrors.TotpNotFound, await _app.FailsWithAsync(new RemoveTotp("acme", _alice, TotpRemovalProof.InRequest, CurrentPassword: Password)));
    }

    [Fact]
    public async Task a_current_code_removes_the_totp_and_is_spent_in_the_same_append_and_a_replayed_one_does_not()
    {
        var secret = await EnrolAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));
        var code = TotpCodes.CodeAt(secret, Now);
        Assert.True(await _app.SendAsync(new VerifyTotp("acme", _alice, code)));

        Assert.Equal(DomainErrors.MfaReauthenticationRequired, await _app.FailsWithAsync(new RemoveTotp("acme", _alice, TotpRemovalProof.InRequest, CurrentCode: code)));

        _clock.Advance(TimeSpan.FromSeconds(30));
        await _app.SendAsync(new RemoveTotp("acme", _alice, TotpRemovalProof.InRequest, CurrentCode: TotpCodes.CodeAt(secret, Now)));
        var tail = (await _app.ReadStreamAsync("acme", $"mfa-acme-{_alice}")).TakeLast(2).Select(e => e.Event).ToArray();
        Assert.Equal([new TotpCodeUsed(_alice, Now), new TotpRemoved(_alice, TotpRemovalReasons.User)], tail);
    }

    [Fact]
    public async Task an_administrator_or_a_recent_sign_in_removes_without_proof_and_an_unconfirmed_enrolment_is_cancelled_freely()
    {
        await EnrolAsync();
        await _app.SendAsync(new RemoveTotp("acme", _alice, TotpRemovalProof.Administrator));
        Assert.Equal(TotpRemovalReasons.Admin, Assert.IsType<TotpRemoved>((await _app.ReadStreamAsync("acme", $"mfa-acme-{_alice}"))[^1].Event).Reason);

        await EnrolAsync();
        await _app.SendAsync(new RemoveTotp("acme", _alice, TotpRemovalProof.RecentSignIn));

        await _app.SendAsync(new StartTotpEnrolment("acme", _alice));
        await _app.SendAsync(new RemoveTotp("acme", _alice, TotpRemovalProof.InRequest));
        Assert.Equal(new MfaStatus(false, false, null, 0, 0), await _app.QueryAsync(new GetMfaStatus("acme", _alice)));
        Assert.Equal(DomainErrors.UserNotFound, await _app.FailsWithAsync(new RemoveTotp("globex", _alice, TotpRemovalProof.Administrator)));
    }

    [Fact]
    public async Task an_imported_seed_is_enrolled_and_confirmed_at_once_and_a_rerun_changes_nothing()
    {
        const string Seed = "jbswy3dpehpk3pxp jbswy3dpehpk3pxp====";
        Assert.True(await ImportAsync("acme", _alice, Seed));
        Assert.False(await ImportAsync("acme", _alice, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"));

        Assert.Equal(new MfaStatus(true, false, TotpSources.Import, 0, 0), await _app.QueryAsync(new GetMfaStatus("acme", _alice)));
        Assert.True(await _app.SendAsync(new VerifyTotp("acme", _alice, TotpCodes.CodeAt("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", Now))));
        Assert.Equal(DomainErrors.MfaInvalidRequest, (await Assert.ThrowsAsync<DomainException>(() => ImportAsync("acme", _alice, "not base32!"))).Code);
        Assert.Equal(DomainErrors.UserNotFound, (await Assert.ThrowsAsync<DomainException>(() => ImportAsync("globex", _alice, Seed))).Code);
    }

    [Fact]
    public async Task the_totp_factor_is_available_after_confirmation_and_verifies_a_code_once()
    {
        await UsingAsync<IAuthenticationFactor>(async factors =>
        {
            var totp = factors.Single(f => f.Step == "totp");
            Assert.Equal(FactorKind.Possession, totp.Kind);
            Assert.False(await totp.IsAvailableAsync("acme", _alice, default));
            Assert.False(await totp.IsAvailableAsync("acme", null, default));
            Assert.Same(FactorChallenge.None, await totp.BeginAsync(Context(), default));
        });
        var secret = await EnrolAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));
        var code = TotpCodes.CodeAt(secret, Now);

        await UsingAsync<IAuthenticationFactor>(async factors =>
        {
            var totp = factors.Single(f => f.Step == "totp");
            Assert.True(await totp.IsAvailableAsync("acme", _alice, default));
            Assert.False(await totp.IsAvailableAsync("globex", _alice, default));
            var outcome = await totp.VerifyAsync(Context(), Json($$"""{"code": "{{code}}"}"""), default);
            Assert.Equal((true, _alice, FactorKind.Possession), (outcome.Succeeded, outcome.UserId, outcome.Kind));
            Assert.Equal(["otp"], outcome.Amr);
            Assert.Same(FactorOutcome.Failed, await totp.VerifyAsync(Context(), Json($$"""{"code": "{{code}}"}"""), default));
            Assert.Same(FactorOutcome.Failed, await totp.VerifyAsync(Context() with { UserId = null }, Json($$"""{"code": "{{code}}"}"""), default));
        });
    }

    [Theory]
    [InlineData("""{"code": "12a456"}""")]
    [InlineData("""{"code": 123456}""")]
    [InlineData("""{"code": "123456", "extra": 1}""")]
    [InlineData("""{}""")]
    [InlineData("""["123456"]""")]
    public async Task the_totp_factor_refuses_a_malformed_body_with_its_code(string body) =>
        await UsingAsync<IAuthenticationFactor>(async factors =>
        {
            var ex = await Assert.ThrowsAsync<DomainException>(async () => await factors.Single(f => f.Step == "totp").VerifyAsync(Context(), Json(body), default));
            Assert.Equal(DomainErrors.TotpMalformedCode, ex.Code);
        });

    [Fact]
    public async Task the_recovery_code_factor_is_available_while_a_code_is_unused_and_spends_one_per_success()
    {
        var set = await _app.SendAsync(new GenerateRecoveryCodes("acme", _alice));

        await UsingAsync<IAuthenticationFactor>(async factors =>
        {
            var recovery = factors.Single(f => f.Step == "recovery-code");
            Assert.Equal(FactorKind.Possession, recovery.Kind);
            Assert.True(await recovery.IsAvailableAsync("acme", _alice, default));
            var outcome = await recovery.VerifyAsync(Context(), Json($$"""{"code": "{{set.Codes[0]}}"}"""), default);
            Assert.Equal((true, _alice, FactorKind.Possession), (outcome.Succeeded, outcome.UserId, outcome.Kind));
            Assert.Equal(["otp"], outcome.Amr);
            Assert.Same(FactorOutcome.Failed, await recovery.VerifyAsync(Context(), Json($$"""{"code": "{{set.Codes[0]}}"}"""), default));
            var ex = await Assert.ThrowsAsync<DomainException>(async () => await recovery.VerifyAsync(Context(), Json("""{"code": "short"}"""), default));
            Assert.Equal(DomainErrors.RecoveryCodeMalformed, ex.Code);
        });

        foreach (var code in set.Codes.Skip(1))
        {
            Assert.True(await _app.SendAsync(new UseRecoveryCode("acme", _alice, code)));
        }

        await UsingAsync<IAuthenticationFactor>(async factors =>
            Assert.False(await factors.Single(f => f.Step == "recovery-code").IsAvailableAsync("acme", _alice, default)));
    }

    [Fact]
    public async Task the_seed_import_port_is_registered() =>
        await UsingAsync<ITotpSeedImport>(async imports => Assert.True(await imports.Single().ImportAsync("acme", _alice, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", default)));

    [Fact]
    public void the_secret_is_never_printed_by_the_commands_that_carry_a_code()
    {
        Assert.DoesNotContain("654321", new ConfirmTotp("acme", _alice, "654321").ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("654321", new VerifyTotp("acme", _alice, "654321").ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("abcd", new UseRecoveryCode("acme", _alice, "abcd").ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", new RemoveTotp("acme", _alice, TotpRemovalProof.InRequest, "hunter2", "654321").ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("654321", new RemoveTotp("acme", _alice, TotpRemovalProof.InRequest, "hunter2", "654321").ToString(), StringComparison.Ordinal);
    }

    private async Task<string> EnrolAsync()
    {
        var secret = (await _app.SendAsync(new StartTotpEnrolment("acme", _alice))).Secret;
        await _app.SendAsync(new ConfirmTotp("acme", _alice, TotpCodes.CodeAt(secret, Now)));
        return secret;
    }

    private Task<bool> ImportAsync(string tenant, string user, string seed) =>
        _app.WithScopeAsync<ITotpSeedImport, bool>(import => import.ImportAsync(tenant, user, seed, default).AsTask());

    private Task UsingAsync<T>(Func<IReadOnlyList<T>, Task> act)
        where T : notnull =>
        _app.WithScopeAsync<IEnumerable<T>, bool>(async services =>
        {
            await act([.. services]);
            return true;
        });

    private FactorContext Context() => new("acme", _alice, "flow-1", null, "https://acme.id.example.com");

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private sealed class FixedClock(DateTimeOffset start) : IClock
    {
        private long _ticks = start.UtcTicks;

        public DateTimeOffset UtcNow => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    private sealed class FixedPolicies(CredentialPolicy policy) : ICredentialPolicies
    {
        public ValueTask<CredentialPolicy> GetAsync(string tenantId, CancellationToken ct) => ValueTask.FromResult(policy);
    }
}
