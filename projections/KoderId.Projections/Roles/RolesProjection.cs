using KoderId.Events.Groups;
using KoderId.Events.Roles;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Storage;

namespace KoderId.Projections.Roles;

/// <summary>
/// Roles and their assignments to users and groups, inline (the <c>roles</c> claim is read at sign-in).
/// A deleted role takes its assignments along; a deleted group's assignments go too (its stream says so, the
/// role streams do not), so the model never points at a group that no longer exists.
/// </summary>
public sealed class RolesProjection : SqlProjection
{
    public const string ProjectionName = "roles";
    public const string TableName = "roles";
    public const string UsersTableName = "role_users";
    public const string GroupsTableName = "role_groups";
    public const int CurrentVersion = 1;

    public RolesProjection()
        : base(ProjectionName, CurrentVersion, ProjectionLifecycle.Inline, TableName, UsersTableName, GroupsTableName)
    {
        On<RoleCreated>((ctx, e, s, ct) => ctx.WriteAsync(
            $"""
            INSERT INTO {ctx.Table(TableName)} (tenant_id, role_id, name, name_key, created_at, updated_at, version)
            VALUES (@tenant, @role, @name, @key, @at, @at, @version)
            ON CONFLICT (tenant_id, role_id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key,
                created_at = excluded.created_at, updated_at = excluded.updated_at, version = excluded.version
            """,
            ct,
            ("@tenant", s.TenantId),
            ("@role", e.RoleId),
            ("@name", e.Name),
            ("@key", Key(e.Name)),
            ("@at", At(s)),
            ("@version", s.StreamVersion)));

        On<RoleDeleted>(async (ctx, e, s, ct) =>
        {
            foreach (var table in new[] { UsersTableName, GroupsTableName, TableName })
            {
                await ctx.WriteAsync($"DELETE FROM {ctx.Table(table)} WHERE tenant_id = @tenant AND role_id = @role", ct,
                    ("@tenant", s.TenantId), ("@role", e.RoleId)).ConfigureAwait(false);
            }
        });

        On<RoleAssignedToUser>((ctx, e, s, ct) => Assign(ctx, s, UsersTableName, "user_id", e.RoleId, e.UserId, ct));
        On<RoleUnassignedFromUser>((ctx, e, s, ct) => Unassign(ctx, s, UsersTableName, "user_id", e.RoleId, e.UserId, ct));
        On<RoleAssignedToGroup>((ctx, e, s, ct) => Assign(ctx, s, GroupsTableName, "group_id", e.RoleId, e.GroupId, ct));
        On<RoleUnassignedFromGroup>((ctx, e, s, ct) => Unassign(ctx, s, GroupsTableName, "group_id", e.RoleId, e.GroupId, ct));

        On<GroupDeleted>((ctx, e, s, ct) => ctx.WriteAsync(
            $"DELETE FROM {ctx.Table(GroupsTableName)} WHERE tenant_id = @tenant AND group_id = @group", ct,
            ("@tenant", s.TenantId), ("@group", e.GroupId)));
    }

    public override async Task CreateAsync(ProjectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var roles = context.Table(TableName);
        var users = context.Table(UsersTableName);
        var groups = context.Table(GroupsTableName);
        await context.ExecuteAsync(
            $"""
            CREATE TABLE {roles} (
                tenant_id TEXT NOT NULL,
                role_id TEXT NOT NULL,
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                version BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, role_id))
            """,
            ct).ConfigureAwait(false);
        await context.ExecuteAsync($"CREATE INDEX ix_{roles}_name ON {roles} (tenant_id, name_key)", ct).ConfigureAwait(false);
        foreach (var (table, column) in new[] { (users, "user_id"), (groups, "group_id") })
        {
            await context.ExecuteAsync(
                $"""
                CREATE TABLE {table} (
                    tenant_id TEXT NOT NULL,
                    role_id TEXT NOT NULL,
                    {column} TEXT NOT NULL,
                    assigned_at BIGINT NOT NULL,
                    PRIMARY KEY (tenant_id, role_id, {column}))
                """,
                ct).ConfigureAwait(false);
            await context.ExecuteAsync($"CREATE INDEX ix_{table}_{column} ON {table} (tenant_id, {column})", ct).ConfigureAwait(false);
        }
    }

    private static async Task Assign(ProjectionContext ctx, StoredEvent s, string table, string column, string roleId, string id, CancellationToken ct)
    {
        await ctx.WriteAsync(
            $"""
            INSERT INTO {ctx.Table(table)} (tenant_id, role_id, {column}, assigned_at) VALUES (@tenant, @role, @id, @at)
            ON CONFLICT (tenant_id, role_id, {column}) DO NOTHING
            """,
            ct, ("@tenant", s.TenantId), ("@role", roleId), ("@id", id), ("@at", At(s))).ConfigureAwait(false);
        await Touch(ctx, s, roleId, ct).ConfigureAwait(false);
    }

    private static async Task Unassign(ProjectionContext ctx, StoredEvent s, string table, string column, string roleId, string id, CancellationToken ct)
    {
        await ctx.WriteAsync($"DELETE FROM {ctx.Table(table)} WHERE tenant_id = @tenant AND role_id = @role AND {column} = @id", ct,
            ("@tenant", s.TenantId), ("@role", roleId), ("@id", id)).ConfigureAwait(false);
        await Touch(ctx, s, roleId, ct).ConfigureAwait(false);
    }

    private static Task Touch(ProjectionContext ctx, StoredEvent s, string roleId, CancellationToken ct) =>
        ctx.WriteAsync($"UPDATE {ctx.Table(TableName)} SET updated_at = @at, version = @version WHERE tenant_id = @tenant AND role_id = @role", ct,
            ("@at", At(s)), ("@version", s.StreamVersion), ("@tenant", s.TenantId), ("@role", roleId));

    private static long At(StoredEvent s) => ReadModelSql.Micros(s.Metadata.Timestamp);

    internal static string Key(string name) => name.Trim().ToLowerInvariant();
}
