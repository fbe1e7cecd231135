using System.Text;
using KoderId.Domain.Users;
using KoderId.Events.Users;
using Decide = KoderId.Domain.Users.User;

namespace KoderId.Domain.Tests.Users;

/// <summary>A user's key-value metadata (Zitadel's user metadata, Keycloak's user attributes).</summary>
public sealed class MetadataSpecs
{
    private const string Id = "u1";
    private static readonly UserCreated Alice = new(Id, "alice", null, EmailVerified: false);
    private static readonly byte[] Engineering = Encoding.UTF8.GetBytes("Engineering");
    private static readonly string EngineeringB64 = Convert.ToBase64String(Engineering);

    private static Spec<UserState> User() => new(UserState.Initial, Decide.Evolve);

    private static KeyValuePair<string, byte[]?>[] Set(string key, byte[]? value) => [new(key, value)];

    [Fact]
    public void setting_an_entry_records_its_key_and_base64_value()
    {
        var spec = User().Given(Alice);
        spec.When(s => Decide.ChangeMetadata(s, Set("department", Engineering))).Then(new UserMetadataSet(Id, "department", EngineeringB64));
        var state = spec.Given(new UserMetadataSet(Id, "department", EngineeringB64)).State;
        Assert.Equal(EngineeringB64, state.Metadata["department"]);
    }

    [Fact]
    public void setting_the_value_already_held_changes_nothing_and_another_value_replaces_it()
    {
        User().Given(Alice, new UserMetadataSet(Id, "department", EngineeringB64))
            .When(s => Decide.ChangeMetadata(s, Set("department", Engineering))).ThenNothing();
        var sales = Encoding.UTF8.GetBytes("Sales");
        User().Given(Alice, new UserMetadataSet(Id, "department", EngineeringB64))
            .When(s => Decide.ChangeMetadata(s, Set("department", sales))).Then(new UserMetadataSet(Id, "department", Convert.ToBase64String(sales)));
    }

    [Fact]
    public void a_null_value_removes_the_key_and_an_absent_key_needs_no_removal()
    {
        User().Given(Alice, new UserMetadataSet(Id, "department", EngineeringB64))
            .When(s => Decide.ChangeMetadata(s, Set("department", null))).Then(new UserMetadataRemoved(Id, "department"));
        User().Given(Alice).When(s => Decide.ChangeMetadata(s, Set("department", null))).ThenNothing();
    }

    [Fact]
    public void one_change_sets_and_removes_several_keys_in_order()
    {
        User().Given(Alice, new UserMetadataSet(Id, "old", EngineeringB64))
            .When(s => Decide.ChangeMetadata(s, [new("a", [1]), new("old", null), new("b", [2, 3])]))
            .Then(new UserMetadataSet(Id, "a", "AQ=="), new UserMetadataRemoved(Id, "old"), new UserMetadataSet(Id, "b", "AgM="));
    }

    [Fact]
    public void removing_an_entry_that_is_not_there_is_not_found()
    {
        User().Given(Alice).When(s => Decide.RemoveMetadata(s, "department")).ThenFails(DomainErrors.UserMetadataNotFound);
        User().Given(Alice, new UserMetadataSet(Id, "department", EngineeringB64))
            .When(s => Decide.RemoveMetadata(s, "department")).Then(new UserMetadataRemoved(Id, "department"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" department")]
    [InlineData("department ")]
    [InlineData("a/b")]
    [InlineData("tab\there")]
    [InlineData("nul\u0000")]
    [InlineData("zero\u200bwidth")]
    public void a_bad_key_is_refused(string key) =>
        User().Given(Alice).When(s => Decide.ChangeMetadata(s, Set(key, Engineering))).ThenFails(DomainErrors.UserInvalidMetadataKey);

    [Fact]
    public void keys_are_case_sensitive_and_may_hold_spaces_colons_and_other_scripts()
    {
        User().Given(Alice).When(s => Decide.ChangeMetadata(s, [new("Dept", [1]), new("dept", [2]), new("urn:example:cost center", [3]), new("部署", [4])]))
            .Then(new UserMetadataSet(Id, "Dept", "AQ=="), new UserMetadataSet(Id, "dept", "Ag=="), new UserMetadataSet(Id, "urn:example:cost center", "Aw=="), new UserMetadataSet(Id, "部署", "BA=="));
        Assert.True(Decide.IsValidMetadataKey(new string('k', Decide.MaxMetadataKeyLength)));
        Assert.False(Decide.IsValidMetadataKey(new string('k', Decide.MaxMetadataKeyLength + 1)));
    }

    [Fact]
    public void an_empty_or_oversized_value_is_refused()
    {
        User().Given(Alice).When(s => Decide.ChangeMetadata(s, Set("k", []))).ThenFails(DomainErrors.UserInvalidMetadataValue);
        User().Given(Alice).When(s => Decide.ChangeMetadata(s, Set("k", new byte[Decide.MaxMetadataValueBytes + 1]))).ThenFails(DomainErrors.UserInvalidMetadataValue);
        User().Given(Alice).When(s => Decide.ChangeMetadata(s, Set("k", new byte[Decide.MaxMetadataValueBytes]))).Then(
            new UserMetadataSet(Id, "k", Convert.ToBase64String(new byte[Decide.MaxMetadataValueBytes])));
    }

    [Fact]
    public void a_user_holds_at_most_the_entry_limit_but_may_replace_and_remove_at_it()
    {
        var full = Enumerable.Range(0, Decide.MaxMetadataEntries).Select(i => (object)new UserMetadataSet(Id, $"k{i}", "AQ==")).Prepend(Alice).ToArray();
        User().Given(full).When(s => Decide.ChangeMetadata(s, Set("one-more", [1]))).ThenFails(DomainErrors.UserMetadataLimit);
        User().Given(full).When(s => Decide.ChangeMetadata(s, Set("k0", [2]))).Then(new UserMetadataSet(Id, "k0", "Ag=="));
        User().Given(full).When(s => Decide.ChangeMetadata(s, [new("k0", null), new("one-more", [1])]))
            .Then(new UserMetadataRemoved(Id, "k0"), new UserMetadataSet(Id, "one-more", "AQ=="));
    }

    [Fact]
    public void a_disabled_user_keeps_editable_metadata_but_a_deleted_or_erased_one_does_not()
    {
        User().Given(Alice, new UserDisabled(Id)).When(s => Decide.ChangeMetadata(s, Set("k", [1]))).Then(new UserMetadataSet(Id, "k", "AQ=="));
        User().Given(Alice, new UserDeleted(Id)).When(s => Decide.ChangeMetadata(s, Set("k", [1]))).ThenFails(DomainErrors.UserDeleted);
        User().Given(Alice, new UserErased(Id)).When(s => Decide.ChangeMetadata(s, Set("k", [1]))).ThenFails(DomainErrors.UserErased);
    }

    [Fact]
    public void erasing_the_user_forgets_its_metadata_and_a_restore_keeps_it()
    {
        Assert.Empty(User().Given(Alice, new UserMetadataSet(Id, "k", "AQ=="), new UserErased(Id)).State.Metadata);
        Assert.Equal("AQ==", User().Given(Alice, new UserMetadataSet(Id, "k", "AQ=="), new UserDeleted(Id), new UserRestored(Id, false)).State.Metadata["k"]);
    }
}
