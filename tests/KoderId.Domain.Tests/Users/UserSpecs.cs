using KoderId.Domain.Users;
using KoderId.Events.Credentials;
using KoderId.Events.Users;
using Decide = KoderId.Domain.Users.User;

namespace KoderId.Domain.Tests.Users;

public sealed class UserSpecs
{
    private const string Id = "u1";
    private static readonly UserCreated Alice = new(Id, "Alice", "alice@example.com", EmailVerified: true, GivenName: "Alice");

    private static Spec<UserState> User() => new(UserState.Initial, Decide.Evolve);

    [Fact]
    public void a_user_is_created_with_a_normalized_username_and_a_validated_profile() =>
        User().When(s => Decide.Create(s, Id, " Alice ", " alice@example.com ", true, new UserProfile(GivenName: " Alice ", Phone: "+44 20 7946-0000", PreferredLanguage: "en-GB")))
            .Then(new UserCreated(Id, "Alice", "alice@example.com", true, GivenName: "Alice", Phone: "+442079460000", PreferredLanguage: "en-GB"));

    [Fact]
    public void a_username_is_normalized_to_nfkc_and_its_key_is_case_insensitive()
    {
        var created = (UserCreated)User().When(s => Decide.Create(s, Id, "ＡＬＩＣＥ", null, false)).Events.Single();
        Assert.Equal("ALICE", created.Username);
        Assert.Equal(Decide.UsernameKey("alice"), Decide.UsernameKey(created.Username));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("ali ce")]
    [InlineData("ali\tce")]
    [InlineData("ali\u200Bce")]
    public void a_username_with_spaces_control_or_format_characters_is_refused(string username) =>
        User().When(s => Decide.Create(s, Id, username, null, false)).ThenFails(DomainErrors.UserInvalidUsername);

    [Fact]
    public void a_username_of_64_characters_is_accepted_and_65_is_refused()
    {
        User().When(s => Decide.Create(s, Id, new string('a', 64), null, false)).Then(new UserCreated(Id, new string('a', 64), null, false));
        User().When(s => Decide.Create(s, Id, new string('a', 65), null, false)).ThenFails(DomainErrors.UserInvalidUsername);
    }

    [Theory]
    [InlineData("plainaddress")]
    [InlineData("Alice <alice@example.com>")]
    [InlineData("alice@localhost")]
    [InlineData("alice@@example.com")]
    [InlineData(".alice@example.com")]
    [InlineData("al..ice@example.com")]
    [InlineData("alice@exa_mple.com")]
    [InlineData("\"al ice\"@example.com")]
    [InlineData("alice@example.c")]
    public void an_invalid_email_is_refused(string email) =>
        User().When(s => Decide.Create(s, Id, "alice", email, false)).ThenFails(DomainErrors.UserInvalidEmail);

    [Theory]
    [InlineData("alice+tag@example.com")]
    [InlineData("o'brien@mail.example.co.uk")]
    [InlineData("jürgen@beispiel.de")]
    public void a_plain_email_is_accepted(string email) =>
        User().When(s => Decide.Create(s, Id, "alice", email, false)).Then(new UserCreated(Id, "alice", email, false));

    [Fact]
    public void an_unverified_flag_without_an_email_stays_false() =>
        User().When(s => Decide.Create(s, Id, "alice", null, true)).Then(new UserCreated(Id, "alice", null, false));

    [Theory]
    [InlineData("has/slash")]
    [InlineData("-leading")]
    [InlineData("")]
    public void an_invalid_user_id_is_refused(string id) =>
        User().When(s => Decide.Create(s, id, "alice", null, false)).ThenFails(DomainErrors.UserInvalidId);

    [Fact]
    public void creating_over_an_existing_user_is_refused() =>
        User().Given(Alice).When(s => Decide.Create(s, Id, "bob", null, false)).ThenFails(DomainErrors.UserIdTaken);

    [Fact]
    public void a_profile_patch_changes_only_the_fields_it_names() =>
        User().Given(Alice).When(s => Decide.UpdateProfile(s, new UserProfilePatch(FamilyName: FieldChange.To("Liddell"))))
            .Then(new UserProfileUpdated(Id, GivenName: "Alice", FamilyName: "Liddell"));

    [Fact]
    public void a_profile_patch_clears_a_field_set_to_null() =>
        User().Given(Alice).When(s => Decide.UpdateProfile(s, new UserProfilePatch(GivenName: FieldChange.To(null))))
            .Then(new UserProfileUpdated(Id));

    [Fact]
    public void a_profile_patch_that_changes_nothing_appends_nothing() =>
        User().Given(Alice).When(s => Decide.UpdateProfile(s, new UserProfilePatch(GivenName: FieldChange.To("Alice")))).ThenNothing();

    [Theory]
    [InlineData("12345")]
    [InlineData("+0123456789")]
    [InlineData("call me")]
    public void a_phone_that_is_not_e164_is_refused(string phone) =>
        User().Given(Alice).When(s => Decide.UpdateProfile(s, new UserProfilePatch(Phone: FieldChange.To(phone)))).ThenFails(DomainErrors.UserInvalidProfile);

    [Fact]
    public void a_malformed_language_tag_is_refused() =>
        User().Given(Alice).When(s => Decide.UpdateProfile(s, new UserProfilePatch(PreferredLanguage: FieldChange.To("english please"))))
            .ThenFails(DomainErrors.UserInvalidProfile);

    [Fact]
    public void a_changed_email_is_pending_until_verified()
    {
        var spec = User().Given(Alice);
        var after = spec.When(s => Decide.ChangeEmail(s, "alice@new.example.com", verified: false))
            .Then(new UserEmailChanged(Id, "alice@new.example.com", false)).After;
        Assert.False(after.EmailVerified);
        spec.Given(new UserEmailChanged(Id, "alice@new.example.com", false));
        var verified = spec.When(s => Decide.VerifyEmail(s, "ALICE@new.example.com")).Then(new UserEmailVerified(Id, "alice@new.example.com")).After;
        Assert.True(verified.EmailVerified);
    }

    [Fact]
    public void a_verification_of_an_address_changed_since_leaves_the_new_one_pending()
    {
        var state = User().Given(Alice, new UserEmailChanged(Id, "second@example.com", false), new UserEmailVerified(Id, "alice@example.com")).State;
        Assert.Equal("second@example.com", state.Email);
        Assert.False(state.EmailVerified);
    }

    [Fact]
    public void a_reset_through_a_link_sets_the_password_with_reason_reset()
    {
        const string Old = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";
        const string New = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$bmV3aGFzaA";
        User().Given(Alice, new UserPasswordSet(Id, Old, true, PasswordSetReasons.Initial))
            .When(s => Decide.ResetPassword(s, Old, New))
            .Then(new UserPasswordSet(Id, New, false, PasswordSetReasons.Reset));
    }

    [Fact]
    public void a_reset_link_issued_before_the_password_changed_is_refused()
    {
        const string Old = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";
        const string New = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$bmV3aGFzaA";
        User().Given(Alice, new UserPasswordSet(Id, New, false, PasswordSetReasons.Change))
            .When(s => Decide.ResetPassword(s, Old, New)).ThenFails(DomainErrors.UserPasswordChanged);
        User().Given(Alice, new UserPasswordSet(Id, Old, false, PasswordSetReasons.Change), new UserDisabled(Id))
            .When(s => Decide.ResetPassword(s, Old, New)).ThenFails(DomainErrors.UserDisabled);
    }

    [Fact]
    public void verifying_an_address_that_is_no_longer_the_users_is_refused() =>
        User().Given(Alice, new UserEmailChanged(Id, "second@example.com", false))
            .When(s => Decide.VerifyEmail(s, "first@example.com")).ThenFails(DomainErrors.UserEmailMismatch);

    [Fact]
    public void verifying_a_verified_address_appends_nothing() =>
        User().Given(Alice).When(s => Decide.VerifyEmail(s, "alice@example.com")).ThenNothing();

    [Fact]
    public void a_disabled_user_cannot_verify_an_address() =>
        User().Given(Alice, new UserEmailChanged(Id, "new@example.com", false), new UserDisabled(Id))
            .When(s => Decide.VerifyEmail(s, "new@example.com")).ThenFails(DomainErrors.UserDisabled);

    [Fact]
    public void a_user_without_an_address_has_nothing_to_verify() =>
        User().Given(new UserCreated(Id, "alice", null, false)).When(s => Decide.VerifyEmail(s, "a@example.com")).ThenFails(DomainErrors.UserNoEmail);

    [Fact]
    public void changing_to_the_same_address_and_flag_appends_nothing() =>
        User().Given(Alice).When(s => Decide.ChangeEmail(s, "alice@example.com", true)).ThenNothing();

    [Fact]
    public void disabling_a_disabled_user_appends_nothing()
    {
        User().Given(Alice).When(s => Decide.Disable(s, " left ")).Then(new UserDisabled(Id, "left"));
        User().Given(Alice, new UserDisabled(Id)).When(s => Decide.Disable(s)).ThenNothing();
    }

    [Fact]
    public void enabling_an_enabled_user_appends_nothing()
    {
        User().Given(Alice).When(Decide.Enable).ThenNothing();
        User().Given(Alice, new UserDisabled(Id)).When(Decide.Enable).Then(new UserEnabled(Id));
    }

    [Fact]
    public void a_deleted_user_refuses_changes_until_restored()
    {
        var deleted = User().Given(Alice, new UserDeleted(Id));
        deleted.When(s => Decide.UpdateProfile(s, new UserProfilePatch(GivenName: FieldChange.To("A")))).ThenFails(DomainErrors.UserDeleted);
        deleted.When(s => Decide.ChangeEmail(s, "x@example.com", false)).ThenFails(DomainErrors.UserDeleted);
        deleted.When(s => Decide.Disable(s)).ThenFails(DomainErrors.UserDeleted);
        deleted.When(Decide.Delete).ThenNothing();
        deleted.When(Decide.Restore).Then(new UserRestored(Id, Disabled: false));
    }

    [Fact]
    public void a_disabled_user_deleted_and_restored_comes_back_disabled()
    {
        var after = User().Given(Alice, new UserDisabled(Id), new UserDeleted(Id)).When(Decide.Restore)
            .Then(new UserRestored(Id, Disabled: true)).After;
        Assert.Equal(UserStatus.Disabled, after.Status);
    }

    [Fact]
    public void restoring_a_live_user_appends_nothing() =>
        User().Given(Alice).When(Decide.Restore).ThenNothing();

    [Fact]
    public void a_live_user_holds_its_username_and_email_keys_and_a_deleted_one_holds_none()
    {
        var live = User().Given(Alice).State;
        Assert.Equal([new UniqueKey("username", "alice"), new UniqueKey("email", "alice@example.com")], Decide.UniqueKeys(live));
        Assert.Empty(Decide.UniqueKeys(User().Given(Alice, new UserDeleted(Id)).State));
        Assert.Empty(Decide.UniqueKeys(User().Given(Alice, new UserErased(Id)).State));
        Assert.Empty(Decide.UniqueKeys(UserState.Initial));
    }

    [Fact]
    public void erasing_is_allowed_live_or_deleted_and_appends_once()
    {
        User().Given(Alice).When(Decide.Erase).Then(new UserErased(Id));
        User().Given(Alice, new UserDeleted(Id)).When(Decide.Erase).Then(new UserErased(Id));
        User().Given(Alice, new UserErased(Id)).When(Decide.Erase).ThenNothing();
    }

    [Fact]
    public void an_erased_user_refuses_everything_but_erasure()
    {
        var erased = User().Given(Alice, new UserErased(Id));
        erased.When(Decide.Restore).ThenFails(DomainErrors.UserErased);
        erased.When(Decide.Delete).ThenFails(DomainErrors.UserErased);
        erased.When(Decide.Enable).ThenFails(DomainErrors.UserErased);
        erased.When(s => Decide.ChangeEmail(s, "x@example.com", true)).ThenFails(DomainErrors.UserErased);
        Assert.Equal(UserStatus.Erased, erased.State.Status);
        Assert.Equal("", erased.State.Username);
    }

    [Fact]
    public void a_missing_user_is_not_found() =>
        User().When(Decide.Enable).ThenFails(DomainErrors.UserNotFound);
}
