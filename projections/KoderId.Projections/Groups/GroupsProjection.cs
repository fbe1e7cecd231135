using KoderId.Events.Groups;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Storage;

namespace KoderId.Projections.Groups;

/// <summary>
/// Groups and their members, inline (effective roles, read at sign-in, join the members). A deleted group's
/// row and memberships go, so it gives nothing to anyone any more. <c>version</c> is the group stream's.
/// </summary>
public sealed class GroupsProjection : SqlProjection
{
    public const string ProjectionName = "groups";
    public const string TableName = "groups";
    public const string MembersTableName = "group_members";
    public const int CurrentVersion = 1;

    public GroupsProjection()
        : base(ProjectionName, CurrentVersion, ProjectionLifecycle.Inline, TableName, MembersTableName)
    {
        On<GroupCreated>((ctx, e, s, ct) => ctx.WriteAsync(
            $"""
            INSERT INTO {ctx.Table(TableName)} (tenant_id, group_id, name, name_key, created_at, updated_at, version)
            VALUES (@tenant, @group, @name, @key, @at, @at, @version)
            ON CONFLICT (tenant_id, group_id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key,
                created_at = excluded.created_at, updated_at = excluded.updated_at, version = excluded.version
            """,
            ct,
            ("@tenant", s.TenantId),
            ("@group", e.GroupId),
            ("@name", e.Name),
            ("@key", Key(e.Name)),
            ("@at", At(s)),
            ("@version", s.StreamVersion)));

        On<GroupRenamed>((ctx, e, s, ct) => Touch(ctx, s, e.GroupId, "name = @name, name_key = @key, ", ct, ("@name", e.Name), ("@key", Key(e.Name))));

        On<GroupDeleted>(async (ctx, e, s, ct) =>
        {
            await ctx.WriteAsync($"DELETE FROM {ctx.Table(MembersTableName)} WHERE tenant_id = @tenant AND group_id = @group", ct,
                ("@tenant", s.TenantId), ("@group", e.GroupId)).ConfigureAwait(false);
            await ctx.WriteAsync($"DELETE FROM {ctx.Table(TableName)} WHERE tenant_id = @tenant AND group_id = @group", ct,
                ("@tenant", s.TenantId), ("@group", e.GroupId)).ConfigureAwait(false);
        });

        On<GroupMemberAdded>(async (ctx, e, s, ct) =>
        {
            await ctx.WriteAsync(
                $"""
                INSERT INTO {ctx.Table(MembersTableName)} (tenant_id, group_id, user_id, added_at)
                VALUES (@tenant, @group, @user, @at)
                ON CONFLICT (tenant_id, group_id, user_id) DO NOTHING
                """,
                ct, ("@tenant", s.TenantId), ("@group", e.GroupId), ("@user", e.UserId), ("@at", At(s))).ConfigureAwait(false);
            await Touch(ctx, s, e.GroupId, "", ct).ConfigureAwait(false);
        });

        On<GroupMemberRemoved>(async (ctx, e, s, ct) =>
        {
            await ctx.WriteAsync($"DELETE FROM {ctx.Table(MembersTableName)} WHERE tenant_id = @tenant AND group_id = @group AND user_id = @user", ct,
                ("@tenant", s.TenantId), ("@group", e.GroupId), ("@user", e.UserId)).ConfigureAwait(false);
            await Touch(ctx, s, e.GroupId, "", ct).ConfigureAwait(false);
        });
    }

    public override async Task CreateAsync(ProjectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var groups = context.Table(TableName);
        var members = context.Table(MembersTableName);
        await context.ExecuteAsync(
            $"""
            CREATE TABLE {groups} (
                tenant_id TEXT NOT NULL,
                group_id TEXT NOT NULL,
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                version BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, group_id))
            """,
            ct).ConfigureAwait(false);
        await context.ExecuteAsync($"CREATE INDEX ix_{groups}_name ON {groups} (tenant_id, name_key)", ct).ConfigureAwait(false);
        await context.ExecuteAsync(
            $"""
            CREATE TABLE {members} (
                tenant_id TEXT NOT NULL,
                group_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                added_at BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, group_id, user_id))
            """,
            ct).ConfigureAwait(false);
        await context.ExecuteAsync($"CREATE INDEX ix_{members}_user ON {members} (tenant_id, user_id)", ct).ConfigureAwait(false);
    }

    private static Task Touch(ProjectionContext ctx, StoredEvent s, string groupId, string set, CancellationToken ct, params (string Name, object? Value)[] args) =>
        ctx.WriteAsync(
            $"UPDATE {ctx.Table(TableName)} SET {set}updated_at = @at, version = @version WHERE tenant_id = @tenant AND group_id = @group",
            ct,
            [.. args, ("@at", At(s)), ("@version", s.StreamVersion), ("@tenant", s.TenantId), ("@group", groupId)]);

    private static long At(StoredEvent s) => ReadModelSql.Micros(s.Metadata.Timestamp);

    internal static string Key(string name) => name.Trim().ToLowerInvariant();
}
