namespace KoderId.EventSourcing.Storage;

/// <summary>
/// Short-lived, bounded state that must not become events: authentication flows, failed-attempt counters,
/// WebAuthn challenges, one-time codes. Unauthenticated traffic writes here, never to the log, so it cannot
/// grow the log without bound; every entry expires and <see cref="PurgeExpiredAsync"/> deletes what has.
/// An expired entry reads as absent everywhere. Keys are (tenant, kind, key); values are opaque bytes the
/// caller owns (seal or hash anything secret before it gets here: the table is not encrypted).
/// </summary>
/// <remarks>
/// Every write is a compare-and-swap on <see cref="TransientEntry.Version"/>, so single use holds across
/// processes and nodes: of two concurrent <see cref="TryRemoveAsync"/> calls with the same version exactly
/// one returns true.
/// </remarks>
public interface ITransientStore
{
    /// <summary>Adds an entry; false when a live one with the key exists.</summary>
    Task<bool> TryAddAsync(string tenantId, string kind, string key, byte[] value, DateTimeOffset expiresAt, CancellationToken ct = default);

    /// <summary>The live entry, or null when there is none or it has expired.</summary>
    Task<TransientEntry?> GetAsync(string tenantId, string kind, string key, CancellationToken ct = default);

    /// <summary>Replaces a live entry whose version is <paramref name="expectedVersion"/>; false otherwise (changed, gone, expired).</summary>
    Task<bool> TryReplaceAsync(string tenantId, string kind, string key, long expectedVersion, byte[] value, DateTimeOffset expiresAt, CancellationToken ct = default);

    /// <summary>Deletes a live entry whose version is <paramref name="expectedVersion"/> (consumes it); false otherwise.</summary>
    Task<bool> TryRemoveAsync(string tenantId, string kind, string key, long expectedVersion, CancellationToken ct = default);

    /// <summary>
    /// Adds one to a counter and returns the new count. A missing or expired counter starts again at 1 and
    /// expires at <paramref name="expiresAt"/>; a live one keeps its expiry.
    /// </summary>
    Task<long> IncrementAsync(string tenantId, string kind, string key, DateTimeOffset expiresAt, CancellationToken ct = default);

    /// <summary>Deletes the entry whatever its version; false when there was none.</summary>
    Task<bool> DeleteAsync(string tenantId, string kind, string key, CancellationToken ct = default);

    /// <summary>Deletes every entry expired at <paramref name="now"/>; returns how many.</summary>
    Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken ct = default);
}

/// <summary>A live entry: its value, the version to compare-and-swap on (1 when added) and when it expires.</summary>
public sealed record TransientEntry(byte[] Value, long Version, DateTimeOffset ExpiresAt);
