using KoderId.Domain.Users;
using KoderId.Events.Tenants;
using KoderId.Events.Users;
using Decide = KoderId.Domain.Users.User;

namespace KoderId.Domain.Tests.Users;

/// <summary>ADR 0006: the lock is an event; backoff doubles per lock in a row up to the cap; an admin lifts it.</summary>
public sealed class LockoutSpecs
{
    private const string Id = "u1";
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 6, 0, 0, TimeSpan.Zero);
    private static readonly UserCreated Alice = new(Id, "alice", null, EmailVerified: false);
    private static readonly LockoutSettings Policy = new(MaxFailedAttempts: 5, BaseBackoffSeconds: 60, MaxLockDurationSeconds: 3600);

    private static Spec<UserState> User() => new(UserState.Initial, Decide.Evolve);

    [Fact]
    public void the_first_lock_lasts_the_base_backoff() =>
        User().Given(Alice).When(s => Decide.LockOut(s, T0, 5, Policy)).Then(new UserLockedOut(Id, T0.AddSeconds(60), 5, 1));

    [Fact]
    public void a_lock_while_locked_appends_nothing() =>
        User().Given(Alice, new UserLockedOut(Id, T0.AddSeconds(60), 5, 1)).When(s => Decide.LockOut(s, T0.AddSeconds(30), 6, Policy)).ThenNothing();

    [Fact]
    public void the_next_lock_in_a_row_doubles_and_the_cap_holds()
    {
        User().Given(Alice, new UserLockedOut(Id, T0.AddSeconds(60), 5, 1))
            .When(s => Decide.LockOut(s, T0.AddSeconds(90), 5, Policy)).Then(new UserLockedOut(Id, T0.AddSeconds(210), 5, 2));
        User().Given(Alice, new UserLockedOut(Id, T0.AddSeconds(60), 5, 9))
            .When(s => Decide.LockOut(s, T0.AddSeconds(90), 5, Policy)).Then(new UserLockedOut(Id, T0.AddSeconds(3690), 5, 10));
    }

    [Fact]
    public void a_lock_long_past_starts_the_backoff_again() =>
        User().Given(Alice, new UserLockedOut(Id, T0.AddSeconds(60), 5, 4))
            .When(s => Decide.LockOut(s, T0.AddSeconds(60 + 3600), 5, Policy)).Then(new UserLockedOut(Id, T0.AddSeconds(3660 + 60), 5, 1));

    [Fact]
    public void an_unlock_lifts_a_holding_lock_only()
    {
        User().Given(Alice, new UserLockedOut(Id, T0.AddSeconds(60), 5, 1)).When(s => Decide.Unlock(s, T0)).Then(new UserUnlocked(Id));
        User().Given(Alice, new UserLockedOut(Id, T0.AddSeconds(60), 5, 1)).When(s => Decide.Unlock(s, T0.AddSeconds(60))).ThenNothing();
        User().Given(Alice).When(s => Decide.Unlock(s, T0)).ThenNothing();
    }

    [Fact]
    public void an_unlock_resets_the_backoff()
    {
        var spec = User().Given(Alice, new UserLockedOut(Id, T0.AddSeconds(60), 5, 3), new UserUnlocked(Id));
        Assert.False(Decide.IsLockedAt(spec.State, T0));
        spec.When(s => Decide.LockOut(s, T0.AddSeconds(10), 5, Policy)).Then(new UserLockedOut(Id, T0.AddSeconds(70), 5, 1));
    }

    [Fact]
    public void a_disabled_user_is_not_locked_and_an_unknown_one_cannot_be_unlocked()
    {
        User().Given(Alice, new UserDisabled(Id)).When(s => Decide.LockOut(s, T0, 5, Policy)).ThenNothing();
        User().When(s => Decide.Unlock(s, T0)).ThenFails(DomainErrors.UserNotFound);
    }
}
