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

public sealed record ChainVerification(bool IsValid, long EventsChecked, long? FirstBrokenPosition, string? Problem);

/// <summary>Walks the whole log and proves the chain, naming the first broken link.</summary>
public static class HashChainVerifier
{
    public static async Task<ChainVerification> VerifyAsync(IEventStore store, IProgress<long>? progress = null, CancellationToken ct = default)
    {
        var previous = HashChain.Genesis;
        long expectedPosition = 1;
        long checkedCount = 0;
        LogHead head;
        long walked;
        do
        {
            // A live log grows while it is walked: a head past the walk is only a deletion once a further
            // pass from where the walk stopped finds nothing more.
            walked = 0;
            await foreach (var e in store.ReadAllAsync(checkedCount, int.MaxValue, ct).ConfigureAwait(false))
            {
                if (e.Position != expectedPosition)
                {
                    return new(false, checkedCount, expectedPosition, $"event at position {expectedPosition} is missing (next stored is {e.Position})");
                }

                var computed = HashChain.Compute(previous, e);
                if (!CryptographicOperations.FixedTimeEquals(computed, e.Hash))
                {
                    return new(false, checkedCount, e.Position, $"event at position {e.Position} does not match its hash (modified or re-linked)");
                }

                previous = computed;
                expectedPosition++;
                checkedCount++;
                walked++;
                if (checkedCount % 10_000 == 0)
                {
                    progress?.Report(checkedCount);
                }
            }

            head = await store.ReadHeadAsync(ct).ConfigureAwait(false);
        }
        while (walked > 0 && head.Position > checkedCount);

        progress?.Report(checkedCount);
        if (head.Position != checkedCount)
        {
            return new(false, checkedCount, checkedCount + 1, $"the log head is at position {head.Position} but only {checkedCount} events are stored (events deleted)");
        }

        if (!CryptographicOperations.FixedTimeEquals(head.Hash, previous))
        {
            return new(false, checkedCount, head.Position, "the log head hash does not match the last event");
        }

        return new(true, checkedCount, null, null);
    }
}
