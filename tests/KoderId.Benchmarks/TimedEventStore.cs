using System.Diagnostics;
using KoderId.EventSourcing.Storage;

namespace KoderId.Benchmarks;

/// <summary>
/// For <c>import --breakdown</c>: the time spent inside the driver's appends and the subject-key store, so the users
/// phase splits into "the store writing" and "everything before it" (deciding, serializing, encrypting).
/// </summary>
internal sealed class TimedEventStore(IEventStore inner) : IEventStore
{
    private long _appendTicks;
    private long _appendMany;

    public TimeSpan AppendTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _appendTicks));

    public long AppendManyCalls => Interlocked.Read(ref _appendMany);

    public async Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return await inner.AppendAsync(request, ct);
        }
        finally
        {
            Interlocked.Add(ref _appendTicks, Stopwatch.GetTimestamp() - start);
        }
    }

    public bool SupportsMultiStreamAppend => inner.SupportsMultiStreamAppend;

    public async Task<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<AppendRequest> requests, CancellationToken ct = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return await inner.AppendManyAsync(requests, ct);
        }
        finally
        {
            Interlocked.Add(ref _appendTicks, Stopwatch.GetTimestamp() - start);
            Interlocked.Increment(ref _appendMany);
        }
    }

    public IAsyncEnumerable<StoredEvent> ReadStreamAsync(
        string tenantId, string streamId, ReadDirection direction = ReadDirection.Forward, long fromVersion = 1, int maxCount = int.MaxValue, CancellationToken ct = default) =>
        inner.ReadStreamAsync(tenantId, streamId, direction, fromVersion, maxCount, ct);

    public IAsyncEnumerable<StoredEvent> ReadAllAsync(long afterPosition, int maxCount = int.MaxValue, CancellationToken ct = default) =>
        inner.ReadAllAsync(afterPosition, maxCount, ct);

    public Task<long> GetStreamVersionAsync(string tenantId, string streamId, CancellationToken ct = default) =>
        inner.GetStreamVersionAsync(tenantId, streamId, ct);

    public Task<string?> GetClaimOwnerAsync(string tenantId, string scope, string value, CancellationToken ct = default) =>
        inner.GetClaimOwnerAsync(tenantId, scope, value, ct);

    public Task<LogHead> ReadHeadAsync(CancellationToken ct = default) => inner.ReadHeadAsync(ct);

    public Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken ct = default) =>
        inner.WaitForEventsAsync(afterPosition, timeout, ct);
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
internal sealed class SingleStreamEventStore(IEventStore inner) : IEventStore
{
    public Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default) => inner.AppendAsync(request, ct);

    public IAsyncEnumerable<StoredEvent> ReadStreamAsync(
        string tenantId, string streamId, ReadDirection direction = ReadDirection.Forward, long fromVersion = 1, int maxCount = int.MaxValue, CancellationToken ct = default) =>
        inner.ReadStreamAsync(tenantId, streamId, direction, fromVersion, maxCount, ct);

    public IAsyncEnumerable<StoredEvent> ReadAllAsync(long afterPosition, int maxCount = int.MaxValue, CancellationToken ct = default) =>
        inner.ReadAllAsync(afterPosition, maxCount, ct);

    public Task<long> GetStreamVersionAsync(string tenantId, string streamId, CancellationToken ct = default) =>
        inner.GetStreamVersionAsync(tenantId, streamId, ct);

    public Task<string?> GetClaimOwnerAsync(string tenantId, string scope, string value, CancellationToken ct = default) =>
        inner.GetClaimOwnerAsync(tenantId, scope, value, ct);

    public Task<LogHead> ReadHeadAsync(CancellationToken ct = default) => inner.ReadHeadAsync(ct);

    public Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken ct = default) =>
        inner.WaitForEventsAsync(afterPosition, timeout, ct);
}
