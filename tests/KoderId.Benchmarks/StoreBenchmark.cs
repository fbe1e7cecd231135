using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;
using KoderId.EventSourcing.Subscriptions;

namespace KoderId.Benchmarks;

/// <summary>A store under test: how to make an empty one and open it.</summary>
public sealed record BenchTarget(string Name, Func<Task<string>> CreateEmptyAsync, Func<string, OpenedStore> Open);

public sealed record OpenedStore(IEventStore Store, IReadModelStore ReadModels, ISubjectKeyStore Keys, Func<ValueTask> DisposeAsync);

public sealed record BenchResult(string Target, string Measure, double Value, string Unit, string Note = "");

/// <summary>
/// The store numbers of docs/benchmarks.md: durable single-event commits, batched appends, 16 concurrent
/// writers with a subscriber checked for completeness and order, and a 1,000,000-event projection replay
/// (run in a child process so its peak memory is its own).
/// </summary>
public static class StoreBenchmark
{
    public static async Task<List<BenchResult>> RunAsync(BenchTarget target, int replayEvents, TextWriter log)
    {
        var results = new List<BenchResult>();
        var connection = await target.CreateEmptyAsync();
        var opened = target.Open(connection);
        try
        {
            var store = opened.Store;
            await SequentialAsync(target.Name, store, appends: 300, batch: 1); // warm-up: JIT, connections, file growth
            log.WriteLine($"[{target.Name}] single-event durable commits...");
            results.Add(await SequentialAsync(target.Name, store, appends: 3_000, batch: 1));
            log.WriteLine($"[{target.Name}] batches of 10...");
            results.Add(await SequentialAsync(target.Name, store, appends: 2_000, batch: 10));
            log.WriteLine($"[{target.Name}] batches of 100...");
            results.Add(await SequentialAsync(target.Name, store, appends: 500, batch: 100));
            foreach (var batch in new[] { 1, 10 })
            {
                log.WriteLine($"[{target.Name}] 16 concurrent writers, {batch} event(s) per commit, with a subscriber...");
                results.Add(await ConcurrentAsync(target.Name, store, writers: 16, appendsPerWriter: batch == 1 ? 250 : 100, batch));
            }
        }
        finally
        {
            await opened.DisposeAsync();
        }

        log.WriteLine($"[{target.Name}] loading {replayEvents:N0} events for the replay...");
        var replayConnection = await target.CreateEmptyAsync();
        var replayStore = target.Open(replayConnection);
        try
        {
            results.Add(await LoadAsync(target.Name, replayStore.Store, replayEvents));
        }
        finally
        {
            await replayStore.DisposeAsync();
        }

        log.WriteLine($"[{target.Name}] replaying {replayEvents:N0} events into a projection (child process)...");
        results.AddRange(await ReplayInChildAsync(target.Name, replayConnection));
        return results;
    }

    private static async Task<BenchResult> SequentialAsync(string target, IEventStore store, int appends, int batch)
    {
        var streams = Enumerable.Range(0, 100).Select(i => $"seq{batch}-{i}").ToArray();
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < appends; i++)
        {
            var stream = streams[i % streams.Length];
            var events = new UncommittedEvent[batch];
            for (var n = 0; n < batch; n++)
            {
                events[n] = BenchData.Tick(stream, n);
            }

            await store.AppendAsync(new AppendRequest("bench", stream, ExpectedVersion.Any, events));
        }

        stopwatch.Stop();
        return batch == 1
            ? new BenchResult(target, "durable single-event commits", appends / stopwatch.Elapsed.TotalSeconds, "commits/s", $"{appends:N0} commits")
            : new BenchResult(target, $"batched appends, {batch} events/commit", appends * batch / stopwatch.Elapsed.TotalSeconds, "events/s", $"{appends * batch:N0} events");
    }

    private static async Task<BenchResult> ConcurrentAsync(string target, IEventStore store, int writers, int appendsPerWriter, int batch)
    {
        var startHead = (await store.ReadHeadAsync()).Position;
        var seen = new ConcurrentQueue<long>();
        var checkpoints = new InMemoryCheckpointStore();
        await checkpoints.SaveAsync("bench", startHead);
        using var cts = new CancellationTokenSource();
        var subscription = new CatchUpSubscription(store, checkpoints, "bench", (e, _) =>
        {
            seen.Enqueue(e.Position);
            return ValueTask.CompletedTask;
        }, batchSize: 2_000);
        var following = subscription.RunAsync(cts.Token);

        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var stream = $"conc{batch}-{w}-{Guid.NewGuid():N}";
            for (var i = 0; i < appendsPerWriter; i++)
            {
                var events = Enumerable.Range(0, batch).Select(n => BenchData.Tick(stream, n)).ToArray();
                await store.AppendAsync(new AppendRequest("bench", stream, ExpectedVersion.Any, events));
            }
        })));
        stopwatch.Stop();

        var total = writers * appendsPerWriter * batch;
        var head = (await store.ReadHeadAsync()).Position;
        var wait = Stopwatch.StartNew();
        while (subscription.Position < head && wait.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(10);
        }

        await cts.CancelAsync();
        try
        {
            await following;
        }
        catch (OperationCanceledException)
        {
        }

        var positions = seen.ToArray();
        var complete = positions.Length == total && positions.SequenceEqual(Enumerable.Range(0, total).Select(i => startHead + 1 + i));
        return new BenchResult(target, $"16 concurrent writers, {batch} event(s)/commit", total / stopwatch.Elapsed.TotalSeconds, "events/s",
            complete ? $"subscriber saw all {total:N0} exactly once, in order" : $"SUBSCRIBER MISSED OR REORDERED EVENTS ({positions.Length:N0} of {total:N0})");
    }

    private static async Task<BenchResult> LoadAsync(string target, IEventStore store, int events)
    {
        const int batch = 1_000;
        var stopwatch = Stopwatch.StartNew();
        for (var written = 0; written < events; written += batch)
        {
            var stream = $"load-{written / batch % 500}";
            var count = Math.Min(batch, events - written);
            var list = new UncommittedEvent[count];
            for (var n = 0; n < count; n++)
            {
                list[n] = BenchData.Tick(stream, written + n);
            }

            await store.AppendAsync(new AppendRequest($"tenant-{written / batch % 500 % 7}", stream, ExpectedVersion.Any, list));
        }

        stopwatch.Stop();
        return new BenchResult(target, "bulk load, 1,000 events/commit", events / stopwatch.Elapsed.TotalSeconds, "events/s", $"{events:N0} events");
    }

    private static async Task<IEnumerable<BenchResult>> ReplayInChildAsync(string target, string connection)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(StoreBenchmark).Assembly.Location);
        start.ArgumentList.Add("replay");
        start.ArgumentList.Add(target);
        start.ArgumentList.Add(connection);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith("replay ", StringComparison.Ordinal))
                   ?? throw new InvalidOperationException($"replay child failed: {output}");
        var parts = line.Split(' ');
        var events = long.Parse(parts[1], CultureInfo.InvariantCulture);
        var perSecond = double.Parse(parts[2], CultureInfo.InvariantCulture);
        var peakMb = double.Parse(parts[3], CultureInfo.InvariantCulture);
        return
        [
            new BenchResult(target, "replay into a projection (rebuild)", perSecond, "events/s", $"{events:N0} events"),
            new BenchResult(target, "replay peak memory (process VmHWM)", peakMb, "MiB", "whole child process"),
        ];
    }

    /// <summary>The child side of the replay measurement: rebuild the bench projection from the log.</summary>
    public static async Task<int> ReplayChildAsync(OpenedStore opened)
    {
        var serializer = new EventSerializer(BenchData.Registry, opened.Keys);
        var manager = new ProjectionManager(opened.Store, opened.ReadModels, serializer, [new BenchCountsProjection()]);
        var result = await manager.RebuildAsync("bench_counts");
        var peak = PeakWorkingSetMiB();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"replay {result.Events} {result.EventsPerSecond:F0} {peak:F1}"));
        await opened.DisposeAsync();
        return 0;
    }

    private static double PeakWorkingSetMiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0;
    }
}
