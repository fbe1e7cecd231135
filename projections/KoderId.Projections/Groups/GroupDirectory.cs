using System.Data.Common;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.Groups;

public sealed record GroupView(string TenantId, string GroupId, string Name, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long Version);

/// <summary>Reads the <c>groups</c> model. Every query is scoped to one tenant.</summary>
public sealed class GroupDirectory(IReadModelStore store)
{
    private const string Columns = "tenant_id, group_id, name, created_at, updated_at, version";
    private readonly string _groups = ReadModelSql.LiveTable(GroupsProjection.TableName, GroupsProjection.CurrentVersion);
    private readonly string _members = ReadModelSql.LiveTable(GroupsProjection.MembersTableName, GroupsProjection.CurrentVersion);

    public async Task<GroupView?> GetAsync(string tenantId, string groupId, CancellationToken ct = default) =>
        (await ReadModelSql.QueryAsync(store, $"SELECT {Columns} FROM {_groups} WHERE tenant_id = @tenant AND group_id = @group", Map, ct,
            ("@tenant", tenantId), ("@group", groupId)).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>The group with this name (case-insensitive), if any.</summary>
    public async Task<GroupView?> FindByNameAsync(string tenantId, string name, CancellationToken ct = default) =>
        (await ReadModelSql.QueryAsync(store, $"SELECT {Columns} FROM {_groups} WHERE tenant_id = @tenant AND name_key = @key", Map, ct,
            ("@tenant", tenantId), ("@key", GroupsProjection.Key(name))).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>A page of the tenant's groups in id order, after <paramref name="afterGroupId"/> (keyset paging).</summary>
    public async Task<IReadOnlyList<GroupView>> ListAsync(string tenantId, string? afterGroupId = null, int limit = 100, CancellationToken ct = default) =>
        await ReadModelSql.QueryAsync(store,
            $"SELECT {Columns} FROM {_groups} WHERE tenant_id = @tenant AND group_id > @after ORDER BY group_id LIMIT @limit",
            Map, ct, ("@tenant", tenantId), ("@after", afterGroupId ?? ""), ("@limit", Math.Clamp(limit, 1, 1000))).ConfigureAwait(false);

    /// <summary>The member user ids, in order.</summary>
    public async Task<IReadOnlyList<string>> MembersAsync(string tenantId, string groupId, CancellationToken ct = default) =>
        await ReadModelSql.QueryAsync(store,
            $"SELECT user_id FROM {_members} WHERE tenant_id = @tenant AND group_id = @group ORDER BY user_id",
            r => r.GetString(0), ct, ("@tenant", tenantId), ("@group", groupId)).ConfigureAwait(false);

    /// <summary>The groups the user belongs to, by name.</summary>
    public async Task<IReadOnlyList<GroupView>> GroupsOfUserAsync(string tenantId, string userId, CancellationToken ct = default) =>
        await ReadModelSql.QueryAsync(store,
            $"""
            SELECT g.tenant_id, g.group_id, g.name, g.created_at, g.updated_at, g.version FROM {_groups} g
            JOIN {_members} m ON m.tenant_id = g.tenant_id AND m.group_id = g.group_id
            WHERE g.tenant_id = @tenant AND m.tenant_id = @tenant AND m.user_id = @user ORDER BY g.name_key, g.group_id
            """,
            Map, ct, ("@tenant", tenantId), ("@user", userId)).ConfigureAwait(false);

    private static GroupView Map(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.Time(3), r.Time(4), r.Long(5));
}
