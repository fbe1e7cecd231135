using System.Diagnostics;
using KoderId.EventSourcing.Storage;

namespace KoderId.Benchmarks;

/// <summary>
/// For <c>import --breakdown</c>: the time spent inside the driver's appends and the subject-key store, so the users
/// phase splits into "the store writing" and "everything before it" (deciding, serializing, encrypting).
/// </summary>
internal sealed class TimedEventStore(IEventStore inner) : DelegatingEventStore(inner)
{
    private long _appendTicks;
    private long _appendMany;

    public TimeSpan AppendTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _appendTicks));

    public long AppendManyCalls => Interlocked.Read(ref _appendMany);

    public override async Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return await Inner.AppendAsync(request, ct);
        }
        finally
        {
            Interlocked.Add(ref _appendTicks, Stopwatch.GetTimestamp() - start);
        }
    }

    public override async Task<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<AppendRequest> requests, CancellationToken ct = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return await Inner.AppendManyAsync(requests, ct);
        }
        finally
        {
            Interlocked.Add(ref _appendTicks, Stopwatch.GetTimestamp() - start);
            Interlocked.Increment(ref _appendMany);
        }
    }
}

/// <summary>For <c>import --breakdown</c>: time in the subject-key store.</summary>
internal sealed class TimedSubjectKeys(ISubjectKeyStore inner) : ISubjectKeyStore
{
    private long _ticks;

    public TimeSpan Time => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

    public Task<byte[]> GetOrCreateKeyAsync(string tenantId, string subjectId, CancellationToken ct = default) =>
        TimeAsync(() => inner.GetOrCreateKeyAsync(tenantId, subjectId, ct));

    public Task CreateKeysAsync(string tenantId, IReadOnlyCollection<string> subjectIds, CancellationToken ct = default) =>
        TimeAsync(async () => { await inner.CreateKeysAsync(tenantId, subjectIds, ct); return true; });

    public Task<IReadOnlyDictionary<string, byte[]>> GetOrCreateKeysAsync(string tenantId, IReadOnlyCollection<string> subjectIds, CancellationToken ct = default) =>
        TimeAsync(() => inner.GetOrCreateKeysAsync(tenantId, subjectIds, ct));

    public Task<byte[]?> TryGetKeyAsync(string tenantId, string subjectId, CancellationToken ct = default) =>
        TimeAsync(() => inner.TryGetKeyAsync(tenantId, subjectId, ct));

    public Task<bool> EraseAsync(string tenantId, string subjectId, CancellationToken ct = default) => inner.EraseAsync(tenantId, subjectId, ct);

    private async Task<T> TimeAsync<T>(Func<Task<T>> call)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return await call();
        }
        finally
        {
            Interlocked.Add(ref _ticks, Stopwatch.GetTimestamp() - start);
        }
    }
}

/// <summary>For <c>import --single-stream</c>: the store without <see cref="IEventStore.SupportsMultiStreamAppend"/>, so the importer takes its one-user-at-a-time path (the comparison).</summary>
internal sealed class SingleStreamEventStore(IEventStore inner) : DelegatingEventStore(inner)
{
    public override bool SupportsMultiStreamAppend => false;

    public override Task<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<AppendRequest> requests, CancellationToken ct = default) =>
        throw new NotSupportedException("This store appends one stream at a time.");
}
