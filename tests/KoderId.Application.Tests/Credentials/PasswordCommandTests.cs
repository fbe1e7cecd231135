using KoderId.Application.Common;
using KoderId.Application.Credentials;
using KoderId.Application.Credentials.Commands;
using KoderId.Application.Tenants;
using KoderId.Application.Tests.Users;
using KoderId.Application.Users;
using KoderId.Domain;
using KoderId.Events.Credentials;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Application.Tests.Credentials;

public sealed class PasswordCommandTests : IAsyncLifetime
{
    // Cheap parameters: the tests are about the flow, not the cost.
    private static readonly PasswordHashingPolicy Cheap = new(MemoryKiB: 1024, Iterations: 1, Parallelism: 1);
    private static readonly PasswordHashingPolicy Stronger = new(MemoryKiB: 2048, Iterations: 2, Parallelism: 1);

    private const string Good = "correct horse battery staple";
    private const string Other = "vermilion-otter-sandcastle";

    private readonly SwitchablePolicies _policies = new(new CredentialPolicy(PasswordPolicy.Default, Cheap));
    private readonly WriteSide _app;
    private string _alice = "";

    public PasswordCommandTests() =>
        _app = new WriteSide(configure: s => s.AddSingleton<ICredentialPolicies>(_policies));

    public async Task InitializeAsync()
    {
        await _app.SendAsync(new CreateTenant("acme", "Acme"));
        await _app.SendAsync(new CreateTenant("globex", "Globex"));
        _alice = (await _app.SendAsync(new CreateUser("acme", "alice", "alice.liddell@example.com"))).UserId;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task a_password_set_by_an_administrator_verifies_and_a_wrong_one_does_not()
    {
        await _app.SendAsync(new SetPassword("acme", _alice, Good));

        Assert.Equal(new PasswordCheck(true, false, false), await _app.SendAsync(new VerifyPassword("acme", _alice, Good)));
        Assert.Equal(PasswordCheck.Failed, await _app.SendAsync(new VerifyPassword("acme", _alice, Other)));
    }

    [Fact]
    public async Task the_event_holds_an_argon2id_phc_string_encrypted_in_the_log_never_the_password()
    {
        await _app.SendAsync(new SetPassword("acme", _alice, Good, ChangeRequired: true));

        var set = await PasswordEventsAsync();
        var e = Assert.Single(set);
        Assert.StartsWith("$argon2id$v=19$m=1024,t=1,p=1$", e.PasswordHash, StringComparison.Ordinal);
        Assert.Equal((true, PasswordSetReasons.Initial), (e.ChangeRequired, e.Reason));
        var raw = (await _app.ReadAllAsync()).Single(s => s.EventType == "user.password-set.v1");
        Assert.DoesNotContain("argon2id", raw.Data, StringComparison.Ordinal);
        Assert.DoesNotContain(Good, raw.Data, StringComparison.Ordinal);
        Assert.DoesNotContain(e.PasswordHash, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task policy_violations_are_listed_by_code_and_nothing_is_appended()
    {
        var refused = await Assert.ThrowsAsync<PasswordPolicyException>(() => _app.SendAsync(new SetPassword("acme", _alice, "xqz-alice")));

        Assert.Equal(["KID1101", "KID1104"], refused.Codes);
        Assert.DoesNotContain("alice", refused.Message, StringComparison.Ordinal);
        Assert.Contains("KID1103", (await Assert.ThrowsAsync<PasswordPolicyException>(() => _app.SendAsync(new SetPassword("acme", _alice, "1qaz2wsx3edc")))).Codes);
        Assert.Equal(["KID1104"], (await Assert.ThrowsAsync<PasswordPolicyException>(() => _app.SendAsync(new SetPassword("acme", _alice, "i-am-alice.liddell-really")))).Codes);
        Assert.Empty(await PasswordEventsAsync());
    }

    [Fact]
    public async Task a_second_administrator_set_is_an_admin_reset_and_a_users_change_is_a_change()
    {
        await _app.SendAsync(new SetPassword("acme", _alice, Good));
        await _app.SendAsync(new SetPassword("acme", _alice, Other, ChangeRequired: true));
        Assert.True((await _app.SendAsync(new VerifyPassword("acme", _alice, Other))).ChangeRequired);

        await _app.SendAsync(new ChangePassword("acme", _alice, Other, "a-third-long-passphrase"));

        Assert.Equal(
            [(PasswordSetReasons.Initial, false), (PasswordSetReasons.AdminReset, true), (PasswordSetReasons.Change, false)],
            (await PasswordEventsAsync()).Select(e => (e.Reason, e.ChangeRequired)));
        Assert.Equal(new PasswordCheck(true, false, false), await _app.SendAsync(new VerifyPassword("acme", _alice, "a-third-long-passphrase")));
        Assert.False((await _app.SendAsync(new VerifyPassword("acme", _alice, Other))).Succeeded);
    }

    [Fact]
    public async Task a_change_needs_the_current_password()
    {
        await _app.SendAsync(new SetPassword("acme", _alice, Good));

        var refused = await Assert.ThrowsAsync<InvalidCredentialsException>(() => _app.SendAsync(new ChangePassword("acme", _alice, Other, "a-third-long-passphrase")));

        Assert.StartsWith(InvalidCredentialsException.Code, refused.Message, StringComparison.Ordinal);
        Assert.Single(await PasswordEventsAsync());
        Assert.True((await _app.SendAsync(new VerifyPassword("acme", _alice, Good))).Succeeded);
    }

    [Fact]
    public async Task a_change_without_a_password_set_is_the_same_invalid_credentials()
    {
        await Assert.ThrowsAsync<InvalidCredentialsException>(() => _app.SendAsync(new ChangePassword("acme", _alice, Good, Other)));
    }

    [Fact]
    public async Task a_change_checks_the_new_password_against_the_policy()
    {
        await _app.SendAsync(new SetPassword("acme", _alice, Good));
        var refused = await Assert.ThrowsAsync<PasswordPolicyException>(() => _app.SendAsync(new ChangePassword("acme", _alice, Good, "zqxwvkjp")));
        Assert.Equal(["KID1101"], refused.Codes);
    }

    [Fact]
    public async Task a_verify_under_changed_parameters_rehashes_once_at_the_new_parameters()
    {
        await _app.SendAsync(new SetPassword("acme", _alice, Good, ChangeRequired: true));
        _policies.Current = new CredentialPolicy(PasswordPolicy.Default, Stronger);

        Assert.Equal(new PasswordCheck(true, true, true), await _app.SendAsync(new VerifyPassword("acme", _alice, Good)));
        Assert.Equal(new PasswordCheck(true, true, false), await _app.SendAsync(new VerifyPassword("acme", _alice, Good)));

        var events = await PasswordEventsAsync();
        Assert.Equal(2, events.Count);
        Assert.Equal(PasswordSetReasons.Rehash, events[1].Reason);
        Assert.True(events[1].ChangeRequired);
        Assert.StartsWith("$argon2id$v=19$m=2048,t=2,p=1$", events[1].PasswordHash, StringComparison.Ordinal);
        Assert.False(Stronger.NeedsRehash(events[1].PasswordHash));
    }

    [Fact]
    public async Task a_wrong_password_under_changed_parameters_does_not_rehash()
    {
        await _app.SendAsync(new SetPassword("acme", _alice, Good));
        _policies.Current = new CredentialPolicy(PasswordPolicy.Default, Stronger);

        Assert.Equal(PasswordCheck.Failed, await _app.SendAsync(new VerifyPassword("acme", _alice, Other)));
        Assert.Single(await PasswordEventsAsync());
    }

    [Fact]
    public async Task unknown_user_no_password_and_foreign_tenant_fail_the_same_way()
    {
        var bob = (await _app.SendAsync(new CreateUser("acme", "bob"))).UserId;
        await _app.SendAsync(new SetPassword("acme", _alice, Good));

        Assert.Equal(PasswordCheck.Failed, await _app.SendAsync(new VerifyPassword("acme", "nobody", Good)));
        Assert.Equal(PasswordCheck.Failed, await _app.SendAsync(new VerifyPassword("acme", "../bad id", Good)));
        Assert.Equal(PasswordCheck.Failed, await _app.SendAsync(new VerifyPassword("acme", bob, Good)));
        Assert.Equal(PasswordCheck.Failed, await _app.SendAsync(new VerifyPassword("globex", _alice, Good)));
        Assert.Equal(PasswordCheck.Failed, await _app.SendAsync(new VerifyPassword("nowhere", _alice, Good)));
    }

    [Fact]
    public async Task a_tenant_cannot_set_a_password_on_another_tenants_user()
    {
        Assert.Equal(DomainErrors.UserNotFound, await _app.FailsWithAsync(new SetPassword("globex", _alice, Good)));
        Assert.Empty(await PasswordEventsAsync());
    }

    [Fact]
    public async Task a_disabled_deleted_or_erased_user_fails_verification()
    {
        await _app.SendAsync(new SetPassword("acme", _alice, Good));

        await _app.SendAsync(new DisableUser("acme", _alice));
        Assert.Equal(PasswordCheck.Failed, await _app.SendAsync(new VerifyPassword("acme", _alice, Good)));
        Assert.Equal(DomainErrors.UserDisabled, await _app.FailsWithAsync(new ChangePassword("acme", _alice, Good, Other)));

        await _app.SendAsync(new EnableUser("acme", _alice));
        Assert.True((await _app.SendAsync(new VerifyPassword("acme", _alice, Good))).Succeeded);

        await _app.SendAsync(new DeleteUser("acme", _alice));
        Assert.Equal(PasswordCheck.Failed, await _app.SendAsync(new VerifyPassword("acme", _alice, Good)));
        Assert.Equal(DomainErrors.UserDeleted, await _app.FailsWithAsync(new SetPassword("acme", _alice, Other)));

        await _app.SendAsync(new EraseUser("acme", _alice));
        Assert.Equal(PasswordCheck.Failed, await _app.SendAsync(new VerifyPassword("acme", _alice, Good)));
    }

    [Fact]
    public async Task a_blocked_tenant_fails_verification()
    {
        await _app.SendAsync(new SetPassword("acme", _alice, Good));
        await _app.SendAsync(new BlockTenant("acme", "unpaid"));
        Assert.Equal(PasswordCheck.Failed, await _app.SendAsync(new VerifyPassword("acme", _alice, Good)));
    }

    [Fact]
    public void commands_never_print_a_password()
    {
        Assert.DoesNotContain(Good, new SetPassword("acme", "u1", Good).ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Good, new ChangePassword("acme", "u1", Good, Good).ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Good, new VerifyPassword("acme", "u1", Good).ToString(), StringComparison.Ordinal);
    }

    private async Task<List<UserPasswordSet>> PasswordEventsAsync() =>
        [.. (await _app.ReadStreamAsync("acme", StreamNames.User("acme", _alice))).Select(d => d.Event).OfType<UserPasswordSet>()];

    private sealed class SwitchablePolicies(CredentialPolicy initial) : ICredentialPolicies
    {
        public CredentialPolicy Current { get; set; } = initial;

        public ValueTask<CredentialPolicy> GetAsync(string tenantId, CancellationToken ct) => ValueTask.FromResult(Current);
    }
}
