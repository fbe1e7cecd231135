using KoderId.Domain.Users;
using KoderId.Events.Credentials;
using KoderId.Events.Users;
using Decide = KoderId.Domain.Users.User;

namespace KoderId.Domain.Tests.Users;

public sealed class PasswordSpecs
{
    private const string Id = "u1";
    private const string H1 = "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
    private const string H2 = "$argon2id$v=19$m=2048,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
    private static readonly UserCreated Alice = new(Id, "alice", null, EmailVerified: false);

    private static Spec<UserState> User() => new(UserState.Initial, Decide.Evolve);

    [Fact]
    public void the_first_password_is_initial_and_the_next_an_admin_reset() =>
        User().Given(Alice, new UserPasswordSet(Id, H1, false, PasswordSetReasons.Initial))
            .When(s => Decide.SetPassword(s, H2, changeRequired: true))
            .Then(new UserPasswordSet(Id, H2, true, PasswordSetReasons.AdminReset));

    [Fact]
    public void a_user_without_a_password_gets_an_initial_one_and_the_state_holds_its_phc()
    {
        var outcome = User().Given(Alice).When(s => Decide.SetPassword(s, H1, changeRequired: false))
            .Then(new UserPasswordSet(Id, H1, false, PasswordSetReasons.Initial));
        Assert.Equal(new StoredPassword(H1, false), outcome.After.Password);
        Assert.DoesNotContain(H1, outcome.After.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void a_deleted_or_erased_user_gets_no_password() =>
        User().Given(Alice, new UserDeleted(Id)).When(s => Decide.SetPassword(s, H1, false)).ThenFails(DomainErrors.UserDeleted);

    [Fact]
    public void an_erased_user_forgets_its_password()
    {
        var spec = User().Given(Alice, new UserPasswordSet(Id, H1, false), new UserErased(Id));
        Assert.False(spec.State.HasPassword);
    }

    [Fact]
    public void a_change_is_refused_when_the_verified_hash_is_no_longer_current() =>
        User().Given(Alice, new UserPasswordSet(Id, H2, false))
            .When(s => Decide.ChangePassword(s, H1, H2)).ThenFails(DomainErrors.UserPasswordChanged);

    [Fact]
    public void a_change_clears_change_required() =>
        User().Given(Alice, new UserPasswordSet(Id, H1, true))
            .When(s => Decide.ChangePassword(s, H1, H2)).Then(new UserPasswordSet(Id, H2, false, PasswordSetReasons.Change));

    [Fact]
    public void a_disabled_user_cannot_change_its_password() =>
        User().Given(Alice, new UserPasswordSet(Id, H1, false), new UserDisabled(Id))
            .When(s => Decide.ChangePassword(s, H1, H2)).ThenFails(DomainErrors.UserDisabled);

    [Fact]
    public void a_rehash_keeps_change_required_and_is_dropped_when_the_hash_moved_on()
    {
        User().Given(Alice, new UserPasswordSet(Id, H1, true))
            .When(s => Decide.Rehash(s, H1, H2)).Then(new UserPasswordSet(Id, H2, true, PasswordSetReasons.Rehash));
        User().Given(Alice, new UserPasswordSet(Id, H2, false))
            .When(s => Decide.Rehash(s, H1, H2)).ThenNothing();
        User().Given(Alice, new UserPasswordSet(Id, H1, false), new UserDisabled(Id))
            .When(s => Decide.Rehash(s, H1, H2)).ThenNothing();
    }

    [Fact]
    public void something_that_is_not_a_hash_is_never_stored() =>
        Assert.Throws<ArgumentException>(() => Decide.SetPassword(User().Given(Alice).State, "hunter2-plaintext", false));
}
