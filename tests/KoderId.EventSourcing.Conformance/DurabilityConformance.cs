using System.Diagnostics;
using System.Globalization;
using KoderId.EventSourcing.Storage;
using Xunit;

namespace KoderId.EventSourcing.Conformance;

/// <summary>
/// For drivers that keep data across processes: a writer killed with SIGKILL between and during commits
/// leaves no partial append and loses no acknowledged one. The in-memory driver does not enrol (it keeps nothing).
/// </summary>
public abstract class DurabilityConformance
{
    /// <summary>The provider name CrashWriter understands and a connection string to an empty store.</summary>
    protected abstract Task<(string Provider, string ConnectionString)> CreateEmptyTargetAsync();

    protected abstract Task<IEventStore> OpenStoreAsync(string connectionString);

    [Fact]
    public async Task a_process_killed_in_the_middle_of_appends_leaves_no_partial_event_and_loses_no_acknowledged_one()
    {
        var (provider, connectionString) = await CreateEmptyTargetAsync();
        var acknowledged = new List<(long Position, string Stream, long Version)>();
        for (var run = 0; run < 3; run++)
        {
            acknowledged.AddRange(await RunAndKillAsync(provider, connectionString, 150 + run * 37));
        }

        var store = await OpenStoreAsync(connectionString);
        try
        {
            var head = await store.ReadHeadAsync();
            var all = new List<StoredEvent>();
            await foreach (var e in store.ReadAllAsync(0))
            {
                all.Add(e);
            }

            // Nothing acknowledged is lost.
            Assert.True(head.Position >= acknowledged.Max(a => a.Position));
            var byPosition = all.ToDictionary(e => e.Position);
            foreach (var ack in acknowledged)
            {
                Assert.True(byPosition.TryGetValue(ack.Position, out var e), $"acknowledged position {ack.Position} is missing");
                Assert.Equal((ack.Stream, ack.Version), (e.StreamId, e.StreamVersion));
            }

            // No partial append: every batch of 5 is whole, positions are dense, the chain and head agree.
            Assert.Equal(head.Position, all.Count);
            Assert.Equal(0, all.Count % 5);
            foreach (var stream in all.GroupBy(e => e.StreamId))
            {
                var versions = stream.Select(e => e.StreamVersion).ToArray();
                Assert.Equal(Enumerable.Range(1, versions.Length).Select(v => (long)v), versions);
                Assert.Equal(0, versions.Length % 5);
            }

            var chain = await HashChainVerifier.VerifyAsync(store);
            Assert.True(chain.IsValid, chain.Problem);

            // And the store takes appends again after the crash.
            var after = await store.AppendAsync(new AppendRequest("crash-tenant", "after-crash", ExpectedVersion.NoStream,
                [new UncommittedEvent("crash.tick.v1", "{}", EventMetadata.New())]));
            Assert.Equal(head.Position + 1, after.LastPosition);
        }
        finally
        {
            if (store is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }

    private static async Task<List<(long, string, long)>> RunAndKillAsync(string provider, string connectionString, int killAfterAcks)
    {
        var writer = Path.Combine(AppContext.BaseDirectory, "KoderId.EventSourcing.CrashWriter.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(writer);
        start.ArgumentList.Add(provider);
        start.ArgumentList.Add(connectionString);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("CrashWriter did not start.");
        var acks = new List<(long, string, long)>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (acks.Count < killAfterAcks)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                var error = await process.StandardError.ReadToEndAsync(timeout.Token);
                throw new InvalidOperationException($"CrashWriter exited early: {error}");
            }

            var parts = line.Split(' ');
            acks.Add((long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2], long.Parse(parts[3], CultureInfo.InvariantCulture)));
        }

        // SIGKILL while it is appending: no chance to finish, flush or clean up.
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(CancellationToken.None);
        return acks;
    }
}
