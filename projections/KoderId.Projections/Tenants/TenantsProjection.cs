using KoderId.Events.Tenants;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Storage;

namespace KoderId.Projections.Tenants;

/// <summary>
/// Tenants and their domains, inline (every request resolves its tenant from them). A tenant's events are
/// appended under the tenant itself, so a row's <c>tenant_id</c> is the envelope's tenant.
/// </summary>
public sealed class TenantsProjection : SqlProjection
{
    public const string ProjectionName = "tenants";
    public const string TenantsTable = "tenants";
    public const string DomainsTable = "tenant_domains";
    // 2: the settings column (tenant.settings-changed.v1).
    public const int CurrentVersion = 2;

    public TenantsProjection()
        : base(ProjectionName, CurrentVersion, ProjectionLifecycle.Inline, TenantsTable, DomainsTable)
    {
        On<TenantCreated>((ctx, e, s, ct) => Signalled(ctx, s).WriteAsync(
            $"""
            INSERT INTO {ctx.Table(TenantsTable)} (tenant_id, name, status, blocked_reason, settings, created_at, updated_at, version)
            VALUES (@tenant, @name, 'active', NULL, NULL, @at, @at, @version)
            ON CONFLICT (tenant_id) DO UPDATE SET name = excluded.name, status = excluded.status, blocked_reason = excluded.blocked_reason,
                created_at = excluded.created_at, updated_at = excluded.updated_at, version = excluded.version
            """,
            ct,
            ("@tenant", s.TenantId),
            ("@name", e.Name),
            ("@at", At(s)),
            ("@version", s.StreamVersion)));

        On<TenantRenamed>((ctx, e, s, ct) => Update(ctx, s, "name = @name", ct, ("@name", e.Name)));
        On<TenantBlocked>((ctx, e, s, ct) => Update(ctx, s, "status = 'blocked', blocked_reason = @reason", ct, ("@reason", e.Reason)));
        On<TenantUnblocked>((ctx, e, s, ct) => Update(ctx, s, "status = 'active', blocked_reason = NULL", ct));
        On<TenantDeleted>((ctx, e, s, ct) => Update(ctx, s, "status = 'deleted'", ct));
        On<TenantSettingsChanged>((ctx, e, s, ct) => Update(ctx, s, "settings = @settings", ct, ("@settings", TenantSettingsJson.Write(e.Settings))));
        On<TenantDomainAdded>(async (ctx, e, s, ct) =>
        {
            TenantCacheSignal.Raise(s.TenantId);
            var domains = ctx.Table(DomainsTable);
            var domain = NormalizeDomain(e.Domain);
            if (e.Primary)
            {
                await ctx.WriteAsync($"UPDATE {domains} SET is_primary = 0 WHERE tenant_id = @tenant AND domain <> @domain", ct,
                    ("@tenant", s.TenantId), ("@domain", domain)).ConfigureAwait(false);
            }

            await ctx.WriteAsync(
                $"""
                INSERT INTO {domains} (tenant_id, domain, verified, is_primary, added_at)
                VALUES (@tenant, @domain, @verified, @primary, @at)
                ON CONFLICT (tenant_id, domain) DO UPDATE SET verified = excluded.verified, is_primary = excluded.is_primary
                """,
                ct,
                ("@tenant", s.TenantId),
                ("@domain", domain),
                ("@verified", ReadModelSql.Flag(e.Verified)),
                ("@primary", ReadModelSql.Flag(e.Primary)),
                ("@at", At(s))).ConfigureAwait(false);
            await Update(ctx, s, "", ct).ConfigureAwait(false);
        });
    }

    public override async Task CreateAsync(ProjectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var tenants = context.Table(TenantsTable);
        var domains = context.Table(DomainsTable);
        await context.ExecuteAsync(
            $"""
            CREATE TABLE {tenants} (
                tenant_id TEXT NOT NULL PRIMARY KEY,
                name TEXT NOT NULL,
                status TEXT NOT NULL,
                blocked_reason TEXT,
                settings TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                version BIGINT NOT NULL)
            """,
            ct).ConfigureAwait(false);
        await context.ExecuteAsync(
            $"""
            CREATE TABLE {domains} (
                tenant_id TEXT NOT NULL,
                domain TEXT NOT NULL,
                verified INTEGER NOT NULL,
                is_primary INTEGER NOT NULL,
                added_at BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, domain))
            """,
            ct).ConfigureAwait(false);

        // Not unique: two tenants may claim a host name until one proves it; resolution only trusts verified rows.
        await context.ExecuteAsync($"CREATE INDEX ix_{domains}_domain ON {domains} (domain)", ct).ConfigureAwait(false);
    }

    internal static string NormalizeDomain(string domain) => domain.Trim().TrimEnd('.').ToLowerInvariant();

    private static Task Update(ProjectionContext ctx, StoredEvent s, string set, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        TenantCacheSignal.Raise(s.TenantId);
        return ctx.WriteAsync(
            $"UPDATE {ctx.Table(TenantsTable)} SET {set}{(set.Length > 0 ? ", " : "")}updated_at = @at, version = @version WHERE tenant_id = @tenant",
            ct,
            [.. args, ("@at", At(s)), ("@version", s.StreamVersion), ("@tenant", s.TenantId)]);
    }

    private static ProjectionContext Signalled(ProjectionContext ctx, StoredEvent s)
    {
        TenantCacheSignal.Raise(s.TenantId);
        return ctx;
    }

    private static long At(StoredEvent s) => ReadModelSql.Micros(s.Metadata.Timestamp);
}
