using KoderId.EventSourcing.Storage;

namespace KoderId.EventSourcing.InMemory;

/// <summary><see cref="ITransientStore"/> in process memory, for the in-memory provider and tests. One lock: it is a test double's speed that matters, not its scaling.</summary>
public sealed class InMemoryTransientStore(TimeProvider? time = null) : ITransientStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<(string, string, string), TransientEntry> _entries = [];
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public Task<bool> TryAddAsync(string tenantId, string kind, string key, byte[] value, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            if (Live((tenantId, kind, key)) is not null)
            {
                return Task.FromResult(false);
            }

            _entries[(tenantId, kind, key)] = new TransientEntry(value.ToArray(), 1, expiresAt);
            return Task.FromResult(true);
        }
    }

    public Task<TransientEntry?> GetAsync(string tenantId, string kind, string key, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult(Live((tenantId, kind, key)) is { } e ? e with { Value = e.Value.ToArray() } : null);
        }
    }

    public Task<bool> TryReplaceAsync(string tenantId, string kind, string key, long expectedVersion, byte[] value, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            if (Live((tenantId, kind, key)) is not { } e || e.Version != expectedVersion)
            {
                return Task.FromResult(false);
            }

            _entries[(tenantId, kind, key)] = new TransientEntry(value.ToArray(), expectedVersion + 1, expiresAt);
            return Task.FromResult(true);
        }
    }

    public Task<bool> TryRemoveAsync(string tenantId, string kind, string key, long expectedVersion, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult(Live((tenantId, kind, key)) is { } e && e.Version == expectedVersion && _entries.Remove((tenantId, kind, key)));
        }
    }

    public Task<long> IncrementAsync(string tenantId, string kind, string key, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var count = Live((tenantId, kind, key)) is { } e ? BitConverter.ToInt64(e.Value) + 1 : 1;
            var expiry = count == 1 ? expiresAt : _entries[(tenantId, kind, key)].ExpiresAt;
            _entries[(tenantId, kind, key)] = new TransientEntry(BitConverter.GetBytes(count), count, expiry);
            return Task.FromResult(count);
        }
    }

    public Task<bool> DeleteAsync(string tenantId, string kind, string key, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult(Live((tenantId, kind, key)) is not null & _entries.Remove((tenantId, kind, key)));
        }
    }

    public Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var expired = _entries.Where(kv => kv.Value.ExpiresAt <= now).Select(kv => kv.Key).ToList();
            expired.ForEach(k => _entries.Remove(k));
            return Task.FromResult(expired.Count);
        }
    }

    private TransientEntry? Live((string, string, string) key) =>
        _entries.TryGetValue(key, out var e) && e.ExpiresAt > _time.GetUtcNow() ? e : null;
}
