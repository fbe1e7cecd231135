using System.Threading.Channels;

namespace KoderId.EventSourcing.Storage;

/// <summary>An append waiting for the driver's writer, and the caller waiting for its answer.</summary>
public sealed class PendingAppend(AppendRequest request, CancellationToken cancellation)
{
    public AppendRequest Request { get; } = request;

    public CancellationToken Cancellation { get; } = cancellation;

    public TaskCompletionSource<AppendResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Group commit for drivers whose appends are serialised anyway (ADR 0001): callers queue, one writer takes
/// every append waiting and hands them to the driver as one group, which commits them in one transaction
/// (each under its own savepoint) — concurrent writers share one durable flush instead of waiting for one
/// each. The driver's group commit must complete every <see cref="PendingAppend.Result"/> it is given.
/// </summary>
public sealed class AppendQueue(Func<IReadOnlyList<PendingAppend>, Task> commitGroup, int maxGroup = 64) : IAsyncDisposable
{
    private readonly Channel<PendingAppend> _queue = Channel.CreateUnbounded<PendingAppend>(new() { SingleReader = true });
    private readonly Lock _gate = new();
    private Task? _writer;
    private bool _closed;

    public Task<AppendResult> EnqueueAsync(AppendRequest request, CancellationToken ct)
    {
        var pending = new PendingAppend(request, ct);
        lock (_gate)
        {
            if (_closed || !_queue.Writer.TryWrite(pending))
            {
                throw new ObjectDisposedException(nameof(AppendQueue));
            }

            _writer ??= Task.Run(WriteLoopAsync, CancellationToken.None);
        }

        return pending.Result.Task;
    }

    /// <summary>Stops taking appends, commits what is queued, and waits for the writer to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? writer;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _queue.Writer.TryComplete();
            writer = _writer;
        }

        if (writer is not null)
        {
            await writer.ConfigureAwait(false);
        }
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<PendingAppend>(maxGroup);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            group.Clear();
            while (group.Count < maxGroup && _queue.Reader.TryRead(out var next))
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
                // The writer must outlive any failure, or every later append would wait forever.
                foreach (var pending in group)
                {
                    pending.Result.TrySetException(ex);
                }
            }
        }
    }
}
