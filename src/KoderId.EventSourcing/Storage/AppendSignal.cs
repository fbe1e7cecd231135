namespace KoderId.EventSourcing.Storage;

/// <summary>Wakes in-process readers the moment an append commits; drivers shared by several nodes also poll.</summary>
public sealed class AppendSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _head;

    public long Head => Interlocked.Read(ref _head);

    public void Notify(long head)
    {
        long seen;
        do
        {
            seen = Interlocked.Read(ref _head);
        }
        while (head > seen && Interlocked.CompareExchange(ref _head, head, seen) != seen);

        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Completes when an append past <paramref name="afterPosition"/> is signalled or the timeout passes.</summary>
    public async Task WaitAsync(long afterPosition, TimeSpan timeout, CancellationToken ct)
    {
        var next = Volatile.Read(ref _next);
        if (Head > afterPosition)
        {
            return;
        }

        try
        {
            await next.Task.WaitAsync(timeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Nothing new in time: the caller re-reads and waits again.
        }
    }

    /// <summary>
    /// Waits for an append past <paramref name="afterPosition"/> from this process (signalled at once) or from
    /// another process or node (seen by reading the head every <paramref name="pollInterval"/>), or for the timeout.
    /// </summary>
    public async Task WaitOrPollAsync(
        long afterPosition,
        TimeSpan timeout,
        Func<TimeSpan> pollInterval,
        Func<CancellationToken, Task<LogHead>> readHead,
        CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero || Head > afterPosition)
            {
                return;
            }

            var poll = pollInterval();
            await WaitAsync(afterPosition, remaining < poll ? remaining : poll, ct).ConfigureAwait(false);
            if (Head > afterPosition || (await readHead(ct).ConfigureAwait(false)).Position > afterPosition)
            {
                return;
            }
        }
    }
}
