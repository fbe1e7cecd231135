using System.Data.Common;
using KoderId.EventSourcing.Projections;
using KoderId.Projections.Groups;

namespace KoderId.Projections.Roles;

public sealed record RoleView(string TenantId, string RoleId, string Name, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long Version);

/// <summary>Reads the <c>roles</c> model (and, for effective roles, the <c>groups</c> memberships). Every query is scoped to one tenant.</summary>
public sealed class RoleDirectory(IReadModelStore store)
{
    private const string Columns = "r.tenant_id, r.role_id, r.name, r.created_at, r.updated_at, r.version";
    private readonly string _roles = ReadModelSql.LiveTable(RolesProjection.TableName, RolesProjection.CurrentVersion);
    private readonly string _roleUsers = ReadModelSql.LiveTable(RolesProjection.UsersTableName, RolesProjection.CurrentVersion);
    private readonly string _roleGroups = ReadModelSql.LiveTable(RolesProjection.GroupsTableName, RolesProjection.CurrentVersion);
    private readonly string _members = ReadModelSql.LiveTable(GroupsProjection.MembersTableName, GroupsProjection.CurrentVersion);

    public async Task<RoleView?> GetAsync(string tenantId, string roleId, CancellationToken ct = default) =>
        (await ReadModelSql.QueryAsync(store, $"SELECT {Columns} FROM {_roles} r WHERE r.tenant_id = @tenant AND r.role_id = @role", Map, ct,
            ("@tenant", tenantId), ("@role", roleId)).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>A page of the tenant's roles in id order, after <paramref name="afterRoleId"/> (keyset paging).</summary>
    public async Task<IReadOnlyList<RoleView>> ListAsync(string tenantId, string? afterRoleId = null, int limit = 100, CancellationToken ct = default) =>
        await ReadModelSql.QueryAsync(store,
            $"SELECT {Columns} FROM {_roles} r WHERE r.tenant_id = @tenant AND r.role_id > @after ORDER BY r.role_id LIMIT @limit",
            Map, ct, ("@tenant", tenantId), ("@after", afterRoleId ?? ""), ("@limit", Math.Clamp(limit, 1, 1000))).ConfigureAwait(false);

    /// <summary>The roles assigned to the user itself, by name.</summary>
    public async Task<IReadOnlyList<RoleView>> DirectRolesAsync(string tenantId, string userId, CancellationToken ct = default) =>
        await ReadModelSql.QueryAsync(store,
            $"""
            SELECT {Columns} FROM {_roles} r JOIN {_roleUsers} ru ON ru.tenant_id = r.tenant_id AND ru.role_id = r.role_id
            WHERE r.tenant_id = @tenant AND ru.tenant_id = @tenant AND ru.user_id = @user ORDER BY r.name_key, r.role_id
            """,
            Map, ct, ("@tenant", tenantId), ("@user", userId)).ConfigureAwait(false);

    /// <summary>The roles assigned to the group, by name.</summary>
    public async Task<IReadOnlyList<RoleView>> GroupRolesAsync(string tenantId, string groupId, CancellationToken ct = default) =>
        await ReadModelSql.QueryAsync(store,
            $"""
            SELECT {Columns} FROM {_roles} r JOIN {_roleGroups} rg ON rg.tenant_id = r.tenant_id AND rg.role_id = r.role_id
            WHERE r.tenant_id = @tenant AND rg.tenant_id = @tenant AND rg.group_id = @group ORDER BY r.name_key, r.role_id
            """,
            Map, ct, ("@tenant", tenantId), ("@group", groupId)).ConfigureAwait(false);

    /// <summary>
    /// The user's effective roles, by name, each once: the roles assigned to the user directly and those
    /// assigned to any group the user is a member of. The future <c>roles</c> claim.
    /// </summary>
    public async Task<IReadOnlyList<RoleView>> EffectiveRolesAsync(string tenantId, string userId, CancellationToken ct = default) =>
        await ReadModelSql.QueryAsync(store,
            $"""
            SELECT {Columns} FROM {_roles} r
            WHERE r.tenant_id = @tenant AND (
                EXISTS (SELECT 1 FROM {_roleUsers} ru
                        WHERE ru.tenant_id = @tenant AND ru.role_id = r.role_id AND ru.user_id = @user)
                OR EXISTS (SELECT 1 FROM {_roleGroups} rg
                        JOIN {_members} m ON m.tenant_id = rg.tenant_id AND m.group_id = rg.group_id
                        WHERE rg.tenant_id = @tenant AND rg.role_id = r.role_id AND m.tenant_id = @tenant AND m.user_id = @user))
            ORDER BY r.name_key, r.role_id
            """,
            Map, ct, ("@tenant", tenantId), ("@user", userId)).ConfigureAwait(false);

    private static RoleView Map(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.Time(3), r.Time(4), r.Long(5));
}
