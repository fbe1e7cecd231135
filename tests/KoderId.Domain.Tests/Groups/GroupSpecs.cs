using KoderId.Domain.Groups;
using KoderId.Events.Groups;
using Decide = KoderId.Domain.Groups.Group;

namespace KoderId.Domain.Tests.Groups;

public sealed class GroupSpecs
{
    private const string Id = "g1";
    private static readonly GroupCreated Eng = new(Id, "Engineering");

    private static Spec<GroupState> Group() => new(GroupState.Initial, Decide.Evolve);

    [Fact]
    public void a_group_is_created_with_a_trimmed_nfkc_name() =>
        Group().When(s => Decide.Create(s, Id, "  Ｅngineering ")).Then(new GroupCreated(Id, "Engineering"));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("eng\u0000")]
    [InlineData("eng\u200B")]
    public void an_empty_or_unprintable_name_is_refused(string name) =>
        Group().When(s => Decide.Create(s, Id, name)).ThenFails(DomainErrors.GroupInvalidName);

    [Fact]
    public void a_name_of_100_characters_is_accepted_and_101_is_refused()
    {
        Group().When(s => Decide.Create(s, Id, new string('e', 100))).Then(new GroupCreated(Id, new string('e', 100)));
        Group().When(s => Decide.Create(s, Id, new string('e', 101))).ThenFails(DomainErrors.GroupInvalidName);
    }

    [Fact]
    public void a_bad_or_used_id_is_refused()
    {
        Group().When(s => Decide.Create(s, "-bad", "Eng")).ThenFails(DomainErrors.GroupInvalidId);
        Group().Given(Eng).When(s => Decide.Create(s, Id, "Other")).ThenFails(DomainErrors.GroupIdTaken);
    }

    [Fact]
    public void renaming_to_the_same_name_changes_nothing() =>
        Group().Given(Eng).When(s => Decide.Rename(s, " Engineering ")).ThenNothing();

    [Fact]
    public void a_rename_moves_the_unique_name()
    {
        var after = Group().Given(Eng).When(s => Decide.Rename(s, "Platform")).Then(new GroupRenamed(Id, "Platform")).After;
        Assert.Equal([new UniqueKey(Decide.NameScope, "platform")], Decide.UniqueKeys(after));
    }

    [Fact]
    public void membership_is_idempotent_both_ways()
    {
        Group().Given(Eng).When(s => Decide.AddMember(s, "u1")).Then(new GroupMemberAdded(Id, "u1"));
        Group().Given(Eng, new GroupMemberAdded(Id, "u1")).When(s => Decide.AddMember(s, "u1")).ThenNothing();
        Group().Given(Eng, new GroupMemberAdded(Id, "u1")).When(s => Decide.RemoveMember(s, "u1")).Then(new GroupMemberRemoved(Id, "u1"));
        Group().Given(Eng).When(s => Decide.RemoveMember(s, "u1")).ThenNothing();
    }

    [Fact]
    public void a_deleted_group_releases_its_name_and_refuses_changes()
    {
        var after = Group().Given(Eng, new GroupMemberAdded(Id, "u1")).When(Decide.Delete).Then(new GroupDeleted(Id)).After;
        Assert.Empty(Decide.UniqueKeys(after));
        Assert.Empty(after.Members);
        Group().Given(Eng, new GroupDeleted(Id)).When(s => Decide.AddMember(s, "u1")).ThenFails(DomainErrors.GroupDeleted);
        Group().Given(Eng, new GroupDeleted(Id)).When(s => Decide.Rename(s, "x")).ThenFails(DomainErrors.GroupDeleted);
        Group().Given(Eng, new GroupDeleted(Id)).When(Decide.Delete).ThenNothing();
    }

    [Fact]
    public void nothing_but_creation_happens_to_a_group_that_does_not_exist() =>
        Group().When(s => Decide.AddMember(s, "u1")).ThenFails(DomainErrors.GroupNotFound);
}
