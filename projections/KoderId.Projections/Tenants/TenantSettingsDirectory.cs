using System.Collections.Concurrent;
using KoderId.Events.Tenants;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.Tenants;

/// <summary>
/// Each tenant's settings from the tenants model, for the sign-in and token paths. Reads are cached in process
/// for <see cref="TimeToLive"/>: a change made through this node is seen at once (<see cref="Invalidate"/>), one
/// made through another node within the time to live. A tenant without settings, or no tenant, has the defaults.
/// </summary>
public sealed class TenantSettingsDirectory(IReadModelStore store, TimeProvider? time = null)
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(10);

    // Bounded by the number of tenants that exist: an unknown id is answered but not cached.
    private readonly ConcurrentDictionary<string, (TenantSettings Settings, long Expires)> _cache = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly string _tenants = ReadModelSql.LiveTable(TenantsProjection.TenantsTable, TenantsProjection.CurrentVersion);

    public async ValueTask<TenantSettings> GetAsync(string tenantId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        var now = _time.GetTimestamp();
        if (_cache.TryGetValue(tenantId, out var hit) && hit.Expires > now)
        {
            return hit.Settings;
        }

        var rows = await ReadModelSql.QueryAsync(store,
            $"SELECT settings FROM {_tenants} WHERE tenant_id = @tenant",
            r => r.Text(0),
            ct, ("@tenant", tenantId)).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return TenantSettings.Default;
        }

        var settings = TenantSettingsJson.Read(rows[0]);
        _cache[tenantId] = (settings, now + (long)(TimeToLive.TotalSeconds * _time.TimestampFrequency));
        return settings;
    }

    /// <summary>Forgets the cached settings of <paramref name="tenantId"/>; call after a committed change.</summary>
    public void Invalidate(string tenantId) => _cache.TryRemove(tenantId, out _);
}
