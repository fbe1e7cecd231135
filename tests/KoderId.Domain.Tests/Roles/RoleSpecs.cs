using KoderId.Domain.Roles;
using KoderId.Events.Roles;
using Decide = KoderId.Domain.Roles.Role;

namespace KoderId.Domain.Tests.Roles;

public sealed class RoleSpecs
{
    private const string Id = "r1";
    private static readonly RoleCreated Admin = new(Id, "Admin");

    private static Spec<RoleState> Role() => new(RoleState.Initial, Decide.Evolve);

    [Fact]
    public void a_role_is_created_and_holds_its_name_case_insensitively()
    {
        var after = Role().When(s => Decide.Create(s, Id, " Admin ")).Then(Admin).After;
        Assert.Equal([new UniqueKey(Decide.NameScope, "admin")], Decide.UniqueKeys(after));
    }

    [Fact]
    public void a_bad_name_or_id_is_refused()
    {
        Role().When(s => Decide.Create(s, Id, "")).ThenFails(DomainErrors.RoleInvalidName);
        Role().When(s => Decide.Create(s, "a b", "Admin")).ThenFails(DomainErrors.RoleInvalidId);
        Role().Given(Admin).When(s => Decide.Create(s, Id, "Admin")).ThenFails(DomainErrors.RoleIdTaken);
    }

    [Fact]
    public void assignments_to_users_and_groups_are_idempotent()
    {
        Role().Given(Admin).When(s => Decide.AssignToUser(s, "u1")).Then(new RoleAssignedToUser(Id, "u1"));
        Role().Given(Admin, new RoleAssignedToUser(Id, "u1")).When(s => Decide.AssignToUser(s, "u1")).ThenNothing();
        Role().Given(Admin, new RoleAssignedToUser(Id, "u1")).When(s => Decide.UnassignFromUser(s, "u1")).Then(new RoleUnassignedFromUser(Id, "u1"));
        Role().Given(Admin).When(s => Decide.UnassignFromUser(s, "u1")).ThenNothing();
        Role().Given(Admin).When(s => Decide.AssignToGroup(s, "g1")).Then(new RoleAssignedToGroup(Id, "g1"));
        Role().Given(Admin, new RoleAssignedToGroup(Id, "g1")).When(s => Decide.AssignToGroup(s, "g1")).ThenNothing();
        Role().Given(Admin, new RoleAssignedToGroup(Id, "g1")).When(s => Decide.UnassignFromGroup(s, "g1")).Then(new RoleUnassignedFromGroup(Id, "g1"));
    }

    [Fact]
    public void a_deleted_role_drops_its_assignments_releases_its_name_and_refuses_new_ones()
    {
        var after = Role().Given(Admin, new RoleAssignedToUser(Id, "u1"), new RoleAssignedToGroup(Id, "g1")).When(Decide.Delete).Then(new RoleDeleted(Id)).After;
        Assert.Empty(after.Users);
        Assert.Empty(after.Groups);
        Assert.Empty(Decide.UniqueKeys(after));
        Role().Given(Admin, new RoleDeleted(Id)).When(s => Decide.AssignToUser(s, "u1")).ThenFails(DomainErrors.RoleDeleted);
    }

    [Fact]
    public void a_role_that_does_not_exist_cannot_be_assigned_or_deleted()
    {
        Role().When(s => Decide.AssignToGroup(s, "g1")).ThenFails(DomainErrors.RoleNotFound);
        Role().When(Decide.Delete).ThenFails(DomainErrors.RoleNotFound);
    }
}
