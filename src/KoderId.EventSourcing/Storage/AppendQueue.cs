namespace KoderId.EventSourcing.Storage;

/// <summary>An append waiting for the driver's writer, and the caller waiting for its answer.</summary>
public sealed class PendingAppend(AppendRequest request, CancellationToken cancellation)
{
    public AppendRequest Request { get; } = request;

    public CancellationToken Cancellation { get; } = cancellation;

    public TaskCompletionSource<AppendResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Answers a committed group: the appends that committed first (so nothing after can turn a durable append
    /// into a reported failure), then <paramref name="committed"/> with the newest position, then the refused
    /// ones with their error as <paramref name="mapError"/> translates it.
    /// </summary>
    public static async Task AnswerAsync(
        IReadOnlyList<PendingAppend> group,
        (AppendResult? Result, Exception? Error)[] outcomes,
        Action<long> committed,
        Func<PendingAppend, Exception, Task<Exception>> mapError)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(outcomes);
        long last = 0;
        for (var i = 0; i < group.Count; i++)
        {
            if (outcomes[i].Result is { } result)
            {
                last = Math.Max(last, result.LastPosition);
                group[i].Result.TrySetResult(result);
            }
        }

        if (last > 0)
        {
            committed(last);
        }

        for (var i = 0; i < group.Count; i++)
        {
            if (outcomes[i].Error is { } error)
            {
                group[i].Result.TrySetException(await mapError(group[i], error).ConfigureAwait(false));
            }
        }
    }
}

/// <summary>
/// Group commit for drivers whose appends are serialised anyway (ADR 0001). A caller that finds no commit in
/// progress becomes the leader and commits on its own thread (no hand-off, so a lone writer pays nothing);
/// callers arriving meanwhile queue, and the leader then commits everything queued as one group in one
/// transaction (each append under its own savepoint), until the queue is empty. Concurrent writers thus share
/// one durable flush instead of waiting for one each. The driver's group commit must complete every
/// <see cref="PendingAppend.Result"/> it is given.
/// </summary>
public sealed class AppendQueue(Func<IReadOnlyList<PendingAppend>, Task> commitGroup, int maxGroup = 64) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Queue<PendingAppend> _queue = new();
    private bool _leading;
    private bool _closed;
    private TaskCompletionSource? _drained;

    public async Task<AppendResult> EnqueueAsync(AppendRequest request, CancellationToken ct)
    {
        var pending = new PendingAppend(request, ct);
        bool lead;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            _queue.Enqueue(pending);
            lead = !_leading;
            _leading = true;
        }

        if (lead)
        {
            await DrainAsync(pending).ConfigureAwait(false);
        }

        return await pending.Result.Task.ConfigureAwait(false);
    }

    /// <summary>Stops taking appends and waits until everything already queued is committed.</summary>
    public async ValueTask DisposeAsync()
    {
        Task drained;
        lock (_gate)
        {
            _closed = true;
            if (!_leading)
            {
                return;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            drained = _drained.Task;
        }

        await drained.ConfigureAwait(false);
    }

    /// <param name="caller">The leader's own append: once it is answered, a still-busy queue is handed to a pool
    /// thread so one caller never ends up committing everybody else's appends indefinitely.</param>
    private async Task DrainAsync(PendingAppend? caller)
    {
        var group = new List<PendingAppend>(maxGroup);
        while (true)
        {
            group.Clear();
            lock (_gate)
            {
                while (group.Count < maxGroup && _queue.TryDequeue(out var next))
                {
                    if (next.Cancellation.IsCancellationRequested)
                    {
                        next.Result.TrySetCanceled(next.Cancellation);
                    }
                    else
                    {
                        group.Add(next);
                    }
                }

                if (group.Count == 0 && _queue.Count == 0)
                {
                    _leading = false;
                    _drained?.TrySetResult();
                    return;
                }
            }

            if (group.Count == 0)
            {
                continue;
            }

            try
            {
                await commitGroup(group).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The leader must get through any failure, or every queued append would wait forever.
                foreach (var pending in group)
                {
                    pending.Result.TrySetException(ex);
                }
            }

            if (caller is not null && caller.Result.Task.IsCompleted)
            {
                lock (_gate)
                {
                    if (_queue.Count == 0)
                    {
                        _leading = false;
                        _drained?.TrySetResult();
                        return;
                    }
                }

                _ = Task.Run(() => DrainAsync(null));
                return;
            }
        }
    }
}
