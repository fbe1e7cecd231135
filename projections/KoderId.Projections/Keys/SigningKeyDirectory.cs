using System.Collections.Concurrent;
using KoderId.Events.Keys;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.Keys;

/// <summary>A signing key of a tenant as the <c>signing_keys</c> model holds it: public half and lifetime, never the private key.</summary>
public sealed record SigningKeyView(
    string TenantId,
    string KeyId,
    string Algorithm,
    PublicJsonWebKey PublicKey,
    string PrivateKeyRef,
    DateTimeOffset PublishedAt,
    DateTimeOffset ActivatesAt,
    DateTimeOffset? RetiredAt,
    DateTimeOffset? ExpiresAt)
{
    /// <summary>In JWKS: from its rotation until every token it signed has expired.</summary>
    public bool IsPublishedAt(DateTimeOffset now) => ExpiresAt is null || ExpiresAt > now;
}

/// <summary>One tenant's keys at the time they were read; time-dependent answers take <c>now</c>.</summary>
public sealed class SigningKeySet(string tenantId, IReadOnlyList<SigningKeyView> keys)
{
    public string TenantId { get; } = tenantId;

    public IReadOnlyList<SigningKeyView> All { get; } = keys;

    /// <summary>The key that signs for <paramref name="algorithm"/> at <paramref name="now"/>: the latest one already active.</summary>
    public SigningKeyView? Active(string algorithm, DateTimeOffset now)
    {
        SigningKeyView? active = null;
        foreach (var key in All)
        {
            if (key.Algorithm == algorithm && key.ActivatesAt <= now && (active is null || key.ActivatesAt > active.ActivatesAt))
            {
                active = key;
            }
        }

        return active;
    }

    public IReadOnlyList<SigningKeyView> Published(DateTimeOffset now) => All.Where(k => k.IsPublishedAt(now)).ToArray();

    /// <summary>A published key by <c>kid</c>; null for an unknown or expired one.</summary>
    public SigningKeyView? FindPublished(string keyId, DateTimeOffset now)
    {
        foreach (var key in All)
        {
            if (key.KeyId == keyId)
            {
                return key.IsPublishedAt(now) ? key : null;
            }
        }

        return null;
    }
}

/// <summary>
/// Reads the <c>signing_keys</c> model, cached in process: JWKS, discovery and signing are hot paths and must not hit
/// the database per request (ADR 0004). The cache is dropped when this process applies a key event
/// (<see cref="SigningKeysProjection.Changes"/>) and expires after <see cref="CacheLifetime"/> so other nodes'
/// rotations are seen within seconds (they publish a key well before it signs).
/// </summary>
public sealed class SigningKeyDirectory(IReadModelStore store)
{
    private readonly string _keys = ReadModelSql.LiveTable(SigningKeysProjection.TableName, SigningKeysProjection.CurrentVersion);
    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);

    public TimeSpan CacheLifetime { get; init; } = TimeSpan.FromSeconds(5);

    public async ValueTask<SigningKeySet> GetAsync(string tenantId, CancellationToken ct = default)
    {
        var changes = SigningKeysProjection.Changes;
        if (_cache.TryGetValue(tenantId, out var entry) && entry.Changes == changes && Environment.TickCount64 < entry.ExpiresAtTicks)
        {
            return entry.Keys;
        }

        var rows = await ReadModelSql.QueryAsync(store,
            $"""
            SELECT key_id, algorithm, kty, crv, x, y, n, e, private_key_ref, published_at, activates_at, retired_at, expires_at
            FROM {_keys} WHERE tenant_id = @tenant ORDER BY activates_at, key_id
            """,
            r => new SigningKeyView(
                tenantId,
                r.GetString(0),
                r.GetString(1),
                new PublicJsonWebKey(r.GetString(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6), r.Text(7)),
                r.GetString(8),
                r.Time(9),
                r.Time(10),
                r.NullableTime(11),
                r.NullableTime(12)),
            ct, ("@tenant", tenantId)).ConfigureAwait(false);
        var set = new SigningKeySet(tenantId, rows);
        _cache[tenantId] = new Entry(set, changes, Environment.TickCount64 + (long)CacheLifetime.TotalMilliseconds);
        return set;
    }

    /// <summary>Drops the cached keys of every tenant (after this process appended a rotation).</summary>
    public void Invalidate() => _cache.Clear();

    /// <summary>The tenants that have keys, for the rotation service (not cached).</summary>
    public async Task<IReadOnlyList<string>> TenantsAsync(CancellationToken ct = default) =>
        await ReadModelSql.QueryAsync(store, $"SELECT DISTINCT tenant_id FROM {_keys} ORDER BY tenant_id", r => r.GetString(0), ct).ConfigureAwait(false);

    private sealed record Entry(SigningKeySet Keys, long Changes, long ExpiresAtTicks);
}
