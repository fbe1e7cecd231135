using KoderId.Application.Common;
using KoderId.Application.Groups;
using KoderId.Application.Roles;
using KoderId.Application.Tenants;
using KoderId.Application.Tests.Users;
using KoderId.Application.Users;
using KoderId.Domain;
using KoderId.Events.Groups;
using KoderId.Events.Roles;

namespace KoderId.Application.Tests.Groups;

public sealed class GroupAndRoleCommandTests : IAsyncLifetime
{
    private readonly WriteSide _app = new();
    private string _alice = "";

    public async Task InitializeAsync()
    {
        await _app.SendAsync(new CreateTenant("acme", "Acme"));
        await _app.SendAsync(new CreateTenant("globex", "Globex"));
        _alice = (await _app.SendAsync(new CreateUser("acme", "alice"))).UserId;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task a_group_is_created_renamed_given_members_and_deleted()
    {
        var eng = await _app.SendAsync(new CreateGroup("acme", "Engineering"));
        await _app.SendAsync(new RenameGroup("acme", eng.Id, "Platform"));
        await _app.SendAsync(new AddGroupMember("acme", eng.Id, _alice));
        var again = await _app.SendAsync(new AddGroupMember("acme", eng.Id, _alice));
        await _app.SendAsync(new RemoveGroupMember("acme", eng.Id, _alice));
        var deleted = await _app.SendAsync(new DeleteGroup("acme", eng.Id));

        Assert.False(again.Changed);
        Assert.Equal(5, deleted.Version);
        Assert.Equal(
            [new GroupCreated(eng.Id, "Engineering"), new GroupRenamed(eng.Id, "Platform"), new GroupMemberAdded(eng.Id, _alice), new GroupMemberRemoved(eng.Id, _alice), new GroupDeleted(eng.Id)],
            (await _app.ReadStreamAsync("acme", StreamNames.Group("acme", eng.Id))).Select(e => e.Event));
    }

    [Fact]
    public async Task group_and_role_names_are_unique_per_tenant_case_insensitively_and_freed_by_deletion()
    {
        var eng = await _app.SendAsync(new CreateGroup("acme", "Engineering"));
        Assert.Equal(DomainErrors.GroupNameTaken, await _app.FailsWithAsync(new CreateGroup("acme", "ENGINEERING")));
        var ops = await _app.SendAsync(new CreateGroup("acme", "Ops"));
        Assert.Equal(DomainErrors.GroupNameTaken, await _app.FailsWithAsync(new RenameGroup("acme", ops.Id, "engineering")));
        await _app.SendAsync(new CreateGroup("globex", "Engineering"));
        await _app.SendAsync(new DeleteGroup("acme", eng.Id));
        await _app.SendAsync(new CreateGroup("acme", "Engineering"));

        var admin = await _app.SendAsync(new CreateRole("acme", "admin"));
        Assert.Equal(DomainErrors.RoleNameTaken, await _app.FailsWithAsync(new CreateRole("acme", "Admin")));
        await _app.SendAsync(new CreateRole("globex", "admin"));
        await _app.SendAsync(new CreateRole("acme", "Engineering"));
        await _app.SendAsync(new DeleteRole("acme", admin.Id));
        await _app.SendAsync(new CreateRole("acme", "ADMIN"));
    }

    [Fact]
    public async Task fifty_concurrent_creations_of_one_role_name_leave_exactly_one_role()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            try
            {
                await _app.SendAsync(new CreateRole("acme", i % 2 == 0 ? "auditor" : "AUDITOR"));
                return "ok";
            }
            catch (DomainException ex)
            {
                return ex.Code;
            }
        })));

        Assert.Equal(1, outcomes.Count(o => o == "ok"));
        Assert.Equal(49, outcomes.Count(o => o == DomainErrors.RoleNameTaken));
    }

    [Fact]
    public async Task a_role_is_assigned_to_users_and_groups_that_exist_and_unassigned()
    {
        var role = await _app.SendAsync(new CreateRole("acme", "admin"));
        var group = await _app.SendAsync(new CreateGroup("acme", "Engineering"));

        await _app.SendAsync(new AssignRoleToUser("acme", role.Id, _alice));
        await _app.SendAsync(new AssignRoleToGroup("acme", role.Id, group.Id));
        await _app.SendAsync(new UnassignRoleFromUser("acme", role.Id, _alice));
        await _app.SendAsync(new UnassignRoleFromGroup("acme", role.Id, group.Id));

        Assert.Equal(
            [new RoleCreated(role.Id, "admin"), new RoleAssignedToUser(role.Id, _alice), new RoleAssignedToGroup(role.Id, group.Id), new RoleUnassignedFromUser(role.Id, _alice), new RoleUnassignedFromGroup(role.Id, group.Id)],
            (await _app.ReadStreamAsync("acme", StreamNames.Role("acme", role.Id))).Select(e => e.Event));
        Assert.Equal(DomainErrors.UserNotFound, await _app.FailsWithAsync(new AssignRoleToUser("acme", role.Id, "nobody")));
        Assert.Equal(DomainErrors.GroupNotFound, await _app.FailsWithAsync(new AssignRoleToGroup("acme", role.Id, "nogroup")));
        Assert.Equal(DomainErrors.UserNotFound, await _app.FailsWithAsync(new AddGroupMember("acme", group.Id, "nobody")));
    }

    [Fact]
    public async Task deleted_users_and_groups_cannot_be_given_roles_or_memberships()
    {
        var role = await _app.SendAsync(new CreateRole("acme", "admin"));
        var group = await _app.SendAsync(new CreateGroup("acme", "Engineering"));
        await _app.SendAsync(new DeleteUser("acme", _alice));
        await _app.SendAsync(new DeleteGroup("acme", group.Id));

        Assert.Equal(DomainErrors.UserDeleted, await _app.FailsWithAsync(new AssignRoleToUser("acme", role.Id, _alice)));
        Assert.Equal(DomainErrors.GroupDeleted, await _app.FailsWithAsync(new AssignRoleToGroup("acme", role.Id, group.Id)));
        var bob = await _app.SendAsync(new CreateUser("acme", "bob"));
        Assert.Equal(DomainErrors.GroupDeleted, await _app.FailsWithAsync(new AddGroupMember("acme", group.Id, bob.UserId)));
    }

    [Fact]
    public async Task another_tenants_groups_roles_and_users_are_not_found_and_ids_are_per_tenant()
    {
        var role = await _app.SendAsync(new CreateRole("acme", "admin"));
        var group = await _app.SendAsync(new CreateGroup("acme", "Engineering"));
        var globexRole = await _app.SendAsync(new CreateRole("globex", "admin"));

        Assert.Equal(DomainErrors.RoleNotFound, await _app.FailsWithAsync(new DeleteRole("globex", role.Id)));
        Assert.Equal(DomainErrors.GroupNotFound, await _app.FailsWithAsync(new RenameGroup("globex", group.Id, "Mine")));
        Assert.Equal(DomainErrors.GroupNotFound, await _app.FailsWithAsync(new AssignRoleToGroup("globex", globexRole.Id, group.Id)));
        Assert.Equal(DomainErrors.UserNotFound, await _app.FailsWithAsync(new AssignRoleToUser("globex", globexRole.Id, _alice)));
        Assert.Equal(DomainErrors.RoleNotFound, await _app.FailsWithAsync(new AssignRoleToUser("acme", "no such role", _alice)));
        Assert.Equal(group.Id, (await _app.SendAsync(new CreateGroup("globex", "Other", GroupId: group.Id))).Id);
    }

    [Fact]
    public async Task a_blocked_tenant_refuses_group_and_role_writes()
    {
        await _app.SendAsync(new BlockTenant("acme", "unpaid"));
        Assert.Equal(DomainErrors.TenantBlocked, await _app.FailsWithAsync(new CreateGroup("acme", "Engineering")));
        Assert.Equal(DomainErrors.TenantBlocked, await _app.FailsWithAsync(new CreateRole("acme", "admin")));
    }

    [Fact]
    public async Task a_caller_chosen_id_is_kept_and_a_malformed_one_refused()
    {
        Assert.Equal("eng", (await _app.SendAsync(new CreateGroup("acme", "Engineering", GroupId: "eng"))).Id);
        Assert.Equal(DomainErrors.GroupInvalidId, await _app.FailsWithAsync(new CreateGroup("acme", "X", GroupId: "bad id")));
        Assert.Equal(DomainErrors.RoleInvalidId, await _app.FailsWithAsync(new CreateRole("acme", "X", RoleId: "bad id")));
        Assert.Equal(DomainErrors.GroupIdTaken, await _app.FailsWithAsync(new CreateGroup("acme", "Other", GroupId: "eng")));
    }
}
