using KoderId.Events.Tenants;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.Tenants;

public enum TenantStatus
{
    Active,
    Blocked,
    Deleted,
}

public sealed record TenantDomainView(string Domain, bool Verified, bool Primary, DateTimeOffset AddedAt);

public sealed record TenantView(
    string TenantId,
    string Name,
    TenantStatus Status,
    string? BlockedReason,
    IReadOnlyList<TenantDomainView> Domains,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long Version)
{
    /// <summary>The tenant's settings; the defaults until it changes them.</summary>
    public TenantSettings Settings { get; init; } = TenantSettings.Default;
}

/// <summary>
/// Raised when a tenant's row changes: by the projection as it writes (this process), and by the writers once
/// the append committed (the projection writes inside the append's transaction, so a reader between the two
/// could otherwise cache the old row).
/// </summary>
public static class TenantCacheSignal
{
    public static event Action<string>? Changed;

    public static void Raise(string tenantId) => Changed?.Invoke(tenantId);

    /// <summary>Every tenant: after a write whose tenant the caller does not know.</summary>
    public static void RaiseAll() => Changed?.Invoke(AllTenants);

    internal const string AllTenants = "*";
}

/// <summary>Reads the <c>tenants</c> model.</summary>
public sealed class TenantDirectory : IDisposable
{
    /// <summary>How long another node's change may take to be seen by <see cref="GetCachedAsync"/>.</summary>
    public static readonly TimeSpan CacheTimeToLive = TimeSpan.FromSeconds(5);

    private readonly IReadModelStore store;
    private readonly TimeProvider _time;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (TenantView? View, DateTimeOffset Until, long Generation)> _cache = new(StringComparer.Ordinal);
    private long _generation;

    public TenantDirectory(IReadModelStore store, TimeProvider? time = null)
    {
        this.store = store;
        _time = time ?? TimeProvider.System;
        TenantCacheSignal.Changed += Invalidate;
    }

    /// <summary>
    /// The tenant for request routing (every protocol and API request resolves one), from a per-process cache
    /// that this process's writes clear at once and that forgets other nodes' rows within <see cref="CacheTimeToLive"/>.
    /// </summary>
    public async ValueTask<TenantView?> GetCachedAsync(string tenantId, CancellationToken ct = default)
    {
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(tenantId, out var entry) && entry.Until > now)
        {
            return entry.View;
        }

        var generation = Interlocked.Read(ref _generation);
        var view = await GetAsync(tenantId, ct).ConfigureAwait(false);
        if (_cache.Count > 10_000)
        {
            _cache.Clear();
        }

        // A change signalled while this read ran may not be in what it read: keep it out of the cache.
        if (Interlocked.Read(ref _generation) == generation)
        {
            _cache[tenantId] = (view, now + CacheTimeToLive, generation);
        }

        return view;
    }

    public void Invalidate(string tenantId)
    {
        Interlocked.Increment(ref _generation);
        if (tenantId == TenantCacheSignal.AllTenants)
        {
            _cache.Clear();
        }
        else
        {
            _cache.TryRemove(tenantId, out _);
        }
    }

    public void Dispose() => TenantCacheSignal.Changed -= Invalidate;

    private readonly string _tenants = ReadModelSql.LiveTable(TenantsProjection.TenantsTable, TenantsProjection.CurrentVersion);
    private readonly string _domains = ReadModelSql.LiveTable(TenantsProjection.DomainsTable, TenantsProjection.CurrentVersion);

    public async Task<TenantView?> GetAsync(string tenantId, CancellationToken ct = default)
    {
        var domains = await ReadModelSql.QueryAsync(store,
            $"SELECT domain, verified, is_primary, added_at FROM {_domains} WHERE tenant_id = @tenant ORDER BY domain",
            r => new TenantDomainView(r.GetString(0), r.Bool(1), r.Bool(2), r.Time(3)),
            ct, ("@tenant", tenantId)).ConfigureAwait(false);
        var rows = await ReadModelSql.QueryAsync(store,
            $"SELECT tenant_id, name, status, blocked_reason, created_at, updated_at, version, settings FROM {_tenants} WHERE tenant_id = @tenant",
            r => new TenantView(
                r.GetString(0),
                r.GetString(1),
                r.GetString(2) switch
                {
                    "active" => TenantStatus.Active,
                    "blocked" => TenantStatus.Blocked,
                    "deleted" => TenantStatus.Deleted,
                    var other => throw new InvalidOperationException($"Unknown tenant status '{other}' in the tenants model."),
                },
                r.Text(3),
                domains,
                r.Time(4),
                r.Time(5),
                r.Long(6))
            {
                Settings = TenantSettingsJson.Read(r.Text(7)),
            },
            ct, ("@tenant", tenantId)).ConfigureAwait(false);
        return rows.SingleOrDefault();
    }

    /// <summary>A page of every tenant (deleted ones included, with their status) in id order, after <paramref name="afterTenantId"/>.</summary>
    public async Task<IReadOnlyList<TenantView>> ListAsync(string? afterTenantId = null, int limit = 100, CancellationToken ct = default)
    {
        var ids = await ReadModelSql.QueryAsync(store,
            $"SELECT tenant_id FROM {_tenants} WHERE tenant_id > @after ORDER BY tenant_id LIMIT @limit",
            r => r.GetString(0),
            ct, ("@after", afterTenantId ?? ""), ("@limit", Math.Clamp(limit, 1, 1000))).ConfigureAwait(false);
        var page = new List<TenantView>(ids.Count);
        foreach (var id in ids)
        {
            if (await GetAsync(id, ct).ConfigureAwait(false) is { } tenant)
            {
                page.Add(tenant);
            }
        }

        return page;
    }

    /// <summary>
    /// The tenant a request's host name belongs to: the one query that is not scoped to a tenant, because it
    /// is how the tenant is found. Only verified domains of tenants that are not deleted count.
    /// </summary>
    public async Task<string?> FindByDomainAsync(string host, CancellationToken ct = default)
    {
        var rows = await ReadModelSql.QueryAsync(store,
            $"""
            SELECT d.tenant_id FROM {_domains} d JOIN {_tenants} t ON t.tenant_id = d.tenant_id
            WHERE d.domain = @domain AND d.verified = 1 AND t.status <> 'deleted'
            ORDER BY d.added_at, d.tenant_id
            """,
            r => r.GetString(0),
            ct, ("@domain", TenantsProjection.NormalizeDomain(host))).ConfigureAwait(false);
        return rows.FirstOrDefault();
    }
}
