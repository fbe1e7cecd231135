using KoderId.Application.Common;
using KoderId.EventSourcing.Storage;

namespace KoderId.Application.Tests.Grants;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : IClock
{
    public DateTimeOffset UtcNow { get; set; } = start;

    public void Advance(TimeSpan by) => UtcNow += by;
}

/// <summary>
/// Holds every append to a <c>refresh-</c> stream until <see cref="Arm"/>'s count of them are waiting, then lets
/// them all go: every racer has read the family before any rotation commits, so the race is a real one
/// (ADR 0004: a loser that read before the winner committed is a race, not a replay). No timing involved.
/// </summary>
internal sealed class AppendBarrier
{
    private readonly object _gate = new();
    private int _expected;
    private int _arrived;
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Arm(int parties)
    {
        lock (_gate)
        {
            _expected = parties;
            _arrived = 0;
            _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public IEventStore Wrap(IEventStore inner) => new Held(inner, this);

    private Task ArriveAsync(string streamId)
    {
        lock (_gate)
        {
            if (_expected == 0 || !streamId.StartsWith("refresh-", StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            if (++_arrived == _expected)
            {
                _expected = 0;
                _release.TrySetResult();
            }

            return _release.Task;
        }
    }

    private sealed class Held(IEventStore inner, AppendBarrier owner) : IEventStore
    {
        public async Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default)
        {
            await owner.ArriveAsync(request.StreamId);
            return await inner.AppendAsync(request, ct);
        }

        public IAsyncEnumerable<StoredEvent> ReadStreamAsync(string tenantId, string streamId, ReadDirection direction = ReadDirection.Forward, long fromVersion = 1, int maxCount = int.MaxValue, CancellationToken ct = default) =>
            inner.ReadStreamAsync(tenantId, streamId, direction, fromVersion, maxCount, ct);

        public IAsyncEnumerable<StoredEvent> ReadAllAsync(long afterPosition, int maxCount = int.MaxValue, CancellationToken ct = default) =>
            inner.ReadAllAsync(afterPosition, maxCount, ct);

        public Task<long> GetStreamVersionAsync(string tenantId, string streamId, CancellationToken ct = default) => inner.GetStreamVersionAsync(tenantId, streamId, ct);

        public Task<string?> GetClaimOwnerAsync(string tenantId, string scope, string value, CancellationToken ct = default) => inner.GetClaimOwnerAsync(tenantId, scope, value, ct);

        public Task<LogHead> ReadHeadAsync(CancellationToken ct = default) => inner.ReadHeadAsync(ct);

        public Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken ct = default) => inner.WaitForEventsAsync(afterPosition, timeout, ct);
    }
}
