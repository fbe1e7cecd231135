using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Storage;

namespace KoderId.EventSourcing.InMemory;

/// <summary>
/// The event log in process memory, for tests and the <c>inmemory</c> provider. Inline projections write to
/// a read-model database supplied by the host (an in-memory SQLite connection in practice); their
/// transaction commits before the events are published, under the append lock, so both happen or neither.
/// </summary>
public sealed class InMemoryEventStore : IEventStore, ISubjectKeyStore, IReadModelStore
{
    private readonly object _gate = new();
    private readonly SemaphoreSlim _appendLock = new(1, 1);
    private readonly List<StoredEvent> _log = [];
    private readonly Dictionary<string, StreamEntry> _streams = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Tenant, string Scope, string Value), string> _claims = [];
    private readonly ConcurrentDictionary<(string Tenant, string Subject), byte[]> _keys = new();
    private readonly AppendSignal _signal = new();
    private readonly Func<CancellationToken, Task<DbConnection>>? _readModels;
    private LogHead _head = LogHead.Empty;

    public InMemoryEventStore(Func<CancellationToken, Task<DbConnection>>? readModels = null, SqlDialect dialect = SqlDialect.Sqlite)
    {
        _readModels = readModels;
        Dialect = dialect;
    }

    public SqlDialect Dialect { get; }

    /// <summary>Set before the first append when inline projections are in use (they need <c>readModels</c>).</summary>
    public InlineProjector? Inline { get; set; }

    public async Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default)
    {
        EventStoreLimits.Validate(request);
        await _appendLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            StoredEvent[] stored;
            long version;
            lock (_gate)
            {
                _streams.TryGetValue(request.StreamId, out var stream);
                if (stream is not null && !string.Equals(stream.TenantId, request.TenantId, StringComparison.Ordinal))
                {
                    throw new WrongTenantException(request.StreamId, request.TenantId);
                }

                version = stream?.Events.Count ?? 0;
                if (!request.ExpectedVersion.IsSatisfiedBy(version))
                {
                    throw new WrongExpectedVersionException(request.StreamId, request.ExpectedVersion, version);
                }

                foreach (var claim in request.Claims.Where(c => c.Operation == UniqueClaimOperation.Claim))
                {
                    if (_claims.TryGetValue((request.TenantId, claim.Scope, claim.Value), out var owner) &&
                        !string.Equals(owner, request.StreamId, StringComparison.Ordinal))
                    {
                        throw new UniqueClaimViolationException(request.TenantId, claim.Scope, claim.Value, owner);
                    }
                }

                stored = HashChain.Link(_head, version, request);
            }

            if (Inline is { Projections.Count: > 0 } inline)
            {
                var factory = _readModels ?? throw new InvalidOperationException("Inline projections need a read-model database.");
                await using var connection = await factory(ct).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                await inline.ApplyAsync(connection, tx, Dialect, stored, request.Events.Select(e => e.Payload).ToArray(), ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
            }

            lock (_gate)
            {
                if (!_streams.TryGetValue(request.StreamId, out var stream))
                {
                    stream = new StreamEntry(request.TenantId);
                    _streams[request.StreamId] = stream;
                }

                foreach (var claim in request.Claims)
                {
                    var key = (request.TenantId, claim.Scope, claim.Value);
                    if (claim.Operation == UniqueClaimOperation.Claim)
                    {
                        _claims[key] = request.StreamId;
                    }
                    else if (_claims.TryGetValue(key, out var owner) && owner == request.StreamId)
                    {
                        _claims.Remove(key);
                    }
                }

                foreach (var e in stored)
                {
                    stream.Events.Add(_log.Count);
                    _log.Add(e);
                }

                _head = new LogHead(stored[^1].Position, stored[^1].Hash);
            }

            _signal.Notify(stored[^1].Position);
            return new AppendResult(stored[0].Position, stored[^1].Position, version + stored.Length);
        }
        finally
        {
            _appendLock.Release();
        }
    }

    public async IAsyncEnumerable<StoredEvent> ReadStreamAsync(
        string tenantId,
        string streamId,
        ReadDirection direction = ReadDirection.Forward,
        long fromVersion = 1,
        int maxCount = int.MaxValue,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        EventStoreLimits.ValidateIds(tenantId, streamId);
        List<StoredEvent> result = [];
        lock (_gate)
        {
            if (_streams.TryGetValue(streamId, out var stream))
            {
                if (!string.Equals(stream.TenantId, tenantId, StringComparison.Ordinal))
                {
                    throw new WrongTenantException(streamId, tenantId);
                }

                var count = stream.Events.Count;
                if (direction == ReadDirection.Forward)
                {
                    for (var v = Math.Max(1, fromVersion); v <= count && result.Count < maxCount; v++)
                    {
                        result.Add(_log[stream.Events[(int)(v - 1)]]);
                    }
                }
                else
                {
                    for (var v = Math.Min(count, fromVersion); v >= 1 && result.Count < maxCount; v--)
                    {
                        result.Add(_log[stream.Events[(int)(v - 1)]]);
                    }
                }
            }
        }

        foreach (var e in result)
        {
            ct.ThrowIfCancellationRequested();
            yield return e;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public async IAsyncEnumerable<StoredEvent> ReadAllAsync(long afterPosition, int maxCount = int.MaxValue, [EnumeratorCancellation] CancellationToken ct = default)
    {
        StoredEvent[] slice;
        lock (_gate)
        {
            var start = IndexAfter(afterPosition);
            var count = (int)Math.Min(maxCount, _log.Count - start);
            slice = _log.GetRange(start, count).ToArray();
        }

        foreach (var e in slice)
        {
            ct.ThrowIfCancellationRequested();
            yield return e;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task<long> GetStreamVersionAsync(string tenantId, string streamId, CancellationToken ct = default)
    {
        EventStoreLimits.ValidateIds(tenantId, streamId);
        lock (_gate)
        {
            if (!_streams.TryGetValue(streamId, out var stream))
            {
                return Task.FromResult(0L);
            }

            return stream.TenantId == tenantId
                ? Task.FromResult((long)stream.Events.Count)
                : throw new WrongTenantException(streamId, tenantId);
        }
    }

    public Task<string?> GetClaimOwnerAsync(string tenantId, string scope, string value, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_claims.TryGetValue((tenantId, scope, value), out var owner) ? owner : null);
        }
    }

    public Task<LogHead> ReadHeadAsync(CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_head);
        }
    }

    public Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken ct = default) =>
        _signal.WaitAsync(afterPosition, timeout, ct);

    public Task<byte[]> GetOrCreateKeyAsync(string tenantId, string subjectId, CancellationToken ct = default) =>
        Task.FromResult(_keys.GetOrAdd((tenantId, subjectId), _ => System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));

    public Task<byte[]?> TryGetKeyAsync(string tenantId, string subjectId, CancellationToken ct = default) =>
        Task.FromResult(_keys.TryGetValue((tenantId, subjectId), out var key) ? key : null);

    public Task<bool> EraseAsync(string tenantId, string subjectId, CancellationToken ct = default) =>
        Task.FromResult(_keys.TryRemove((tenantId, subjectId), out _));

    public Task<DbConnection> OpenConnectionAsync(CancellationToken ct = default) =>
        (_readModels ?? throw new InvalidOperationException("This in-memory store has no read-model database."))(ct);

    public async Task<IExclusiveScope> BeginExclusiveAsync(DbConnection connection, CancellationToken ct = default)
    {
        await _appendLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return new Exclusive(await connection.BeginTransactionAsync(ct).ConfigureAwait(false), _appendLock);
        }
        catch
        {
            _appendLock.Release();
            throw;
        }
    }

    public Task<IAsyncDisposable?> TryAcquireLeaseAsync(string name, CancellationToken ct = default) =>
        Task.FromResult<IAsyncDisposable?>(new NoLease());

    /// <summary>Test hook for the conformance suite's tamper checks: replaces the stored row at a position.</summary>
    public void TamperReplace(long position, Func<StoredEvent, StoredEvent> change)
    {
        lock (_gate)
        {
            var index = IndexAfter(position - 1);
            _log[index] = change(_log[index]);
        }
    }

    /// <summary>Test hook for the conformance suite's tamper checks: deletes the stored row at a position.</summary>
    public void TamperDelete(long position)
    {
        lock (_gate)
        {
            var index = IndexAfter(position - 1);
            _log.RemoveAt(index);
            foreach (var stream in _streams.Values)
            {
                stream.Events.Remove(index);
                for (var i = 0; i < stream.Events.Count; i++)
                {
                    if (stream.Events[i] > index)
                    {
                        stream.Events[i]--;
                    }
                }
            }
        }
    }

    private int IndexAfter(long afterPosition)
    {
        // Positions are dense (1..N) unless a test tampered with the log, so search instead of indexing.
        int lo = 0, hi = _log.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_log[mid].Position <= afterPosition)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private sealed class StreamEntry(string tenantId)
    {
        public string TenantId { get; } = tenantId;
        public List<int> Events { get; } = [];
    }

    private sealed class Exclusive(DbTransaction transaction, SemaphoreSlim appendLock) : IExclusiveScope
    {
        private int _released;

        public DbTransaction Transaction => transaction;

        public Task CommitAsync(CancellationToken ct = default) => transaction.CommitAsync(ct);

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                appendLock.Release();
            }
        }
    }

    private sealed class NoLease : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
