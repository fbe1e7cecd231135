using System.Collections.Concurrent;
using KoderId.EventSourcing.Storage;

namespace KoderId.EventSourcing.Tests;

public sealed class AppendQueueTests
{
    private static AppendRequest Request(string stream) =>
        new("t", stream, ExpectedVersion.Any, [new UncommittedEvent("x.v1", "{}", EventMetadata.New())]);

    private static void Answer(IReadOnlyList<PendingAppend> group)
    {
        foreach (var p in group)
        {
            p.Result.TrySetResult(new AppendResult(1, 1, 1));
        }
    }

    [Fact]
    public async Task appends_that_arrive_during_a_commit_are_committed_together_in_the_next_group()
    {
        var sizes = new ConcurrentQueue<int>();
        using var firstStarted = new SemaphoreSlim(0);
        using var releaseFirst = new SemaphoreSlim(0);
        var queue = new AppendQueue(async group =>
        {
            sizes.Enqueue(group.Count);
            if (sizes.Count == 1)
            {
                firstStarted.Release();
                await releaseFirst.WaitAsync();
            }

            Answer(group);
        });

        var first = Task.Run(() => queue.EnqueueAsync(Request("a"), CancellationToken.None));
        await firstStarted.WaitAsync();
        var waiting = Enumerable.Range(0, 10).Select(i => queue.EnqueueAsync(Request($"b{i}"), CancellationToken.None)).ToArray();
        releaseFirst.Release();
        await Task.WhenAll([first, .. waiting]);

        Assert.Equal([1, 10], sizes.ToArray());
    }

    [Fact]
    public async Task a_failing_group_fails_its_appends_and_the_queue_keeps_working()
    {
        var calls = 0;
        var queue = new AppendQueue(group =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("disk on fire");
            }

            Answer(group);
            return Task.CompletedTask;
        });

        await Assert.ThrowsAsync<InvalidOperationException>(() => queue.EnqueueAsync(Request("a"), CancellationToken.None));
        Assert.Equal(1, (await queue.EnqueueAsync(Request("b"), CancellationToken.None)).LastPosition);
    }

    [Fact]
    public async Task an_append_cancelled_while_queued_is_not_committed()
    {
        using var firstStarted = new SemaphoreSlim(0);
        using var releaseFirst = new SemaphoreSlim(0);
        var committed = new ConcurrentBag<string>();
        var queue = new AppendQueue(async group =>
        {
            foreach (var p in group)
            {
                committed.Add(p.Request.StreamId);
            }

            if (committed.Count == 1)
            {
                firstStarted.Release();
                await releaseFirst.WaitAsync();
            }

            Answer(group);
        });

        var first = Task.Run(() => queue.EnqueueAsync(Request("a"), CancellationToken.None));
        await firstStarted.WaitAsync();
        using var cts = new CancellationTokenSource();
        var cancelled = queue.EnqueueAsync(Request("cancelled"), cts.Token);
        await cts.CancelAsync();
        releaseFirst.Release();

        await first;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.DoesNotContain("cancelled", committed);
    }

    [Fact]
    public async Task dispose_waits_for_queued_appends_and_then_refuses_new_ones()
    {
        using var firstStarted = new SemaphoreSlim(0);
        using var releaseFirst = new SemaphoreSlim(0);
        var count = 0;
        var queue = new AppendQueue(async group =>
        {
            if (Interlocked.Add(ref count, group.Count) == 1)
            {
                firstStarted.Release();
                await releaseFirst.WaitAsync();
            }

            Answer(group);
        });

        var first = Task.Run(() => queue.EnqueueAsync(Request("a"), CancellationToken.None));
        await firstStarted.WaitAsync();
        var queued = queue.EnqueueAsync(Request("b"), CancellationToken.None);
        var disposing = queue.DisposeAsync().AsTask();
        Assert.False(disposing.IsCompleted);
        releaseFirst.Release();
        await disposing;

        // Both were committed before DisposeAsync returned (the caller's own await may resume a moment later).
        Assert.Equal(2, count);
        Assert.Equal(1, (await queued).LastPosition);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => queue.EnqueueAsync(Request("c"), CancellationToken.None));
        await first;
    }
}
