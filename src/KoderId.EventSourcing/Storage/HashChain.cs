using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace KoderId.EventSourcing.Storage;

/// <summary>
/// The tamper-evident link of every stored event: SHA-256 over the previous event's hash and this event's
/// fields, each length-prefixed so no two different events share an encoding. Drivers store the result;
/// <see cref="HashChainVerifier"/> recomputes it. Personal data is hashed as stored (encrypted), so erasing
/// a subject's key never breaks the chain.
/// </summary>
public static class HashChain
{
    public const int HashSize = 32;
    public static readonly byte[] Genesis = new byte[HashSize];

    public static byte[] Compute(
        ReadOnlySpan<byte> previousHash,
        long position,
        string streamId,
        long streamVersion,
        string tenantId,
        string eventType,
        string data,
        EventMetadata metadata)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> scratch = stackalloc byte[16];

        hash.AppendData(previousHash);
        BinaryPrimitives.WriteInt64BigEndian(scratch, position);
        hash.AppendData(scratch[..8]);
        BinaryPrimitives.WriteInt64BigEndian(scratch, streamVersion);
        hash.AppendData(scratch[..8]);
        AppendString(hash, streamId);
        AppendString(hash, tenantId);
        AppendString(hash, eventType);
        AppendString(hash, data);
        metadata.EventId.TryWriteBytes(scratch, bigEndian: true, out _);
        hash.AppendData(scratch);
        BinaryPrimitives.WriteInt64BigEndian(scratch, TimeStamps.ToUnixMicroseconds(metadata.Timestamp));
        hash.AppendData(scratch[..8]);
        AppendString(hash, metadata.Actor);
        AppendString(hash, metadata.ClientIp);
        AppendString(hash, metadata.UserAgent);
        AppendString(hash, metadata.CorrelationId);
        AppendString(hash, metadata.CausationId);
        return hash.GetHashAndReset();
    }

    /// <summary>
    /// The rows an append becomes: positions <c>head+1..</c>, stream versions after <paramref name="streamVersion"/>,
    /// each linked to the one before. Every driver calls this under its append lock.
    /// </summary>
    public static StoredEvent[] Link(LogHead head, long streamVersion, AppendRequest request)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(request);
        var stored = new StoredEvent[request.Events.Count];
        var previous = head.Hash;
        for (var i = 0; i < stored.Length; i++)
        {
            var e = request.Events[i];
            var position = head.Position + i + 1;
            var version = streamVersion + i + 1;
            var hash = Compute(previous, position, request.StreamId, version, request.TenantId, e.EventType, e.Data, e.Metadata);
            stored[i] = new StoredEvent(position, request.StreamId, version, request.TenantId, e.EventType, e.Data, e.Metadata, hash);
            previous = hash;
        }

        return stored;
    }

    public static byte[] Compute(ReadOnlySpan<byte> previousHash, StoredEvent e) =>
        Compute(previousHash, e.Position, e.StreamId, e.StreamVersion, e.TenantId, e.EventType, e.Data, e.Metadata);

    private static void AppendString(IncrementalHash hash, string? value)
    {
        Span<byte> length = stackalloc byte[4];
        if (value is null)
        {
            BinaryPrimitives.WriteInt32BigEndian(length, -1);
            hash.AppendData(length);
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        BinaryPrimitives.WriteInt32BigEndian(length, count);
        hash.AppendData(length);
        if (count <= 512)
        {
            Span<byte> buffer = stackalloc byte[count];
            Encoding.UTF8.GetBytes(value, buffer);
            hash.AppendData(buffer);
        }
        else
        {
            hash.AppendData(Encoding.UTF8.GetBytes(value));
        }
    }
}

/// <summary>The first link of the chain that does not hold: where it is and what the hashes were.</summary>
/// <param name="ExpectedHash">The hash recomputed from the stored fields and the previous link (null for a missing event or head).</param>
/// <param name="FoundHash">The hash stored with the event (or the head's hash).</param>
public sealed record BrokenLink(long Position, string? TenantId, string? StreamId, Guid? EventId, byte[]? ExpectedHash, byte[]? FoundHash);

/// <param name="FirstBrokenPosition">The first position where the chain does not hold, null when it holds.</param>
public sealed record ChainVerification(bool IsValid, long EventsChecked, long? FirstBrokenPosition, string? Problem)
{
    /// <summary>The first broken link with its stream, event id and hashes (those of another tenant are withheld in a tenant verification).</summary>
    public BrokenLink? Broken { get; init; }

    /// <summary>The tenant a verification was scoped to, null for the whole log.</summary>
    public string? TenantId { get; init; }

    /// <summary>How many of <see cref="TenantId"/>'s events were proven (all events for the whole log).</summary>
    public long TenantEventsChecked { get; init; }

    /// <summary>In a tenant verification: the tenant's own events hold, the break is in another tenant's event.</summary>
    public bool BrokenOutsideTenant { get; init; }
}

/// <summary>Walks the whole log and proves the chain, naming the first broken link.</summary>
public static class HashChainVerifier
{
    public static Task<ChainVerification> VerifyAsync(IEventStore store, IProgress<long>? progress = null, CancellationToken ct = default) =>
        VerifyAsync(store, null, progress, ct);

    /// <summary>
    /// Proves the chain. The chain is one for the whole log (every link covers the one before, of any tenant), so a
    /// tenant verification still walks every event; it then names the first broken link among the tenant's own events
    /// (a link is recomputed from the stored hash of the event before it, so a break elsewhere neither hides nor blames
    /// one of the tenant's events) and reports a break in another tenant's event by its position only.
    /// </summary>
    public static async Task<ChainVerification> VerifyAsync(IEventStore store, string? tenantId, IProgress<long>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var previous = HashChain.Genesis;
        long expectedPosition = 1;
        long checkedCount = 0;
        long tenantChecked = 0;
        ChainVerification? outside = null;
        LogHead head;
        long walked;
        do
        {
            // A live log grows while it is walked: a head past the walk is only a deletion once a further
            // pass from where the walk stopped finds nothing more.
            walked = 0;
            await foreach (var e in store.ReadAllAsync(checkedCount, int.MaxValue, ct).ConfigureAwait(false))
            {
                var mine = tenantId is null || string.Equals(e.TenantId, tenantId, StringComparison.Ordinal);
                if (e.Position != expectedPosition)
                {
                    var gap = Broken(tenantId, checkedCount, tenantChecked, expectedPosition, $"event at position {expectedPosition} is missing (next stored is {e.Position})",
                        new BrokenLink(expectedPosition, null, null, null, null, null));
                    if (tenantId is null)
                    {
                        return gap;
                    }

                    outside ??= gap;
                    expectedPosition = e.Position;
                }

                var computed = HashChain.Compute(previous, e);
                if (!CryptographicOperations.FixedTimeEquals(computed, e.Hash))
                {
                    var link = new BrokenLink(e.Position, e.TenantId, e.StreamId, e.Metadata.EventId, computed, e.Hash);
                    var problem = $"event at position {e.Position} does not match its hash (modified or re-linked)";
                    if (mine)
                    {
                        return Broken(tenantId, checkedCount, tenantChecked, e.Position, problem, link);
                    }

                    outside ??= Broken(tenantId, checkedCount, tenantChecked, e.Position, $"{problem}: another tenant's event",
                        new BrokenLink(e.Position, null, null, null, null, null)) with { BrokenOutsideTenant = true };
                }

                // After a break the walk goes on from the stored link, so the tenant's later events are still proven one by one.
                previous = e.Hash;
                expectedPosition++;
                checkedCount++;
                if (mine)
                {
                    tenantChecked++;
                }

                walked++;
                if (checkedCount % 10_000 == 0)
                {
                    progress?.Report(checkedCount);
                }
            }

            head = await store.ReadHeadAsync(ct).ConfigureAwait(false);
        }
        while (walked > 0 && head.Position > expectedPosition - 1);

        progress?.Report(checkedCount);
        if (outside is not null)
        {
            return outside with { EventsChecked = checkedCount, TenantEventsChecked = tenantChecked };
        }

        if (head.Position != expectedPosition - 1)
        {
            return Broken(tenantId, checkedCount, tenantChecked, expectedPosition,
                $"the log head is at position {head.Position} but only {expectedPosition - 1} events are stored (events deleted)",
                new BrokenLink(expectedPosition, null, null, null, null, head.Hash));
        }

        if (!CryptographicOperations.FixedTimeEquals(head.Hash, previous))
        {
            return Broken(tenantId, checkedCount, tenantChecked, head.Position, "the log head hash does not match the last event",
                new BrokenLink(head.Position, null, null, null, previous, head.Hash));
        }

        return new(true, checkedCount, null, null) { TenantId = tenantId, TenantEventsChecked = tenantChecked };
    }

    private static ChainVerification Broken(string? tenantId, long checkedCount, long tenantChecked, long position, string problem, BrokenLink link) =>
        new(false, checkedCount, position, problem) { TenantId = tenantId, TenantEventsChecked = tenantChecked, Broken = link };
}
