using System.Collections.Concurrent;
using KoderId.EventSourcing.Storage;
using KoderId.EventSourcing.Subscriptions;
using Npgsql;
using Xunit;

namespace KoderId.EventSourcing.Postgres.Tests;

/// <summary>
/// Several server nodes on one database: each node is its own <see cref="PostgresDatabase"/> (own pool) and
/// <see cref="PostgresEventStore"/> (own in-process signal), so nothing but the database connects them.
/// </summary>
public sealed class PostgresMultiNodeTests : PostgresTestDatabase
{
    [Fact]
    public async Task sixteen_writers_on_two_nodes_are_seen_by_a_subscriber_on_a_third_node_exactly_once_in_position_order()
    {
        const int writers = 16;
        const int appendsPerWriter = 40;
        var nodeA = Node();
        var nodeB = Node();
        var follower = Node();
        var seen = new ConcurrentQueue<long>();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        // The follower never appends: it learns of other nodes' commits only from the database.
        var subscription = new CatchUpSubscription(follower, new InMemoryCheckpointStore(), "cross-node", (e, _) =>
        {
            seen.Enqueue(e.Position);
            return ValueTask.CompletedTask;
        }, batchSize: 64);
        var following = subscription.RunAsync(cts.Token);

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var node = w % 2 == 0 ? nodeA : nodeB;
            for (var i = 0; i < appendsPerWriter; i++)
            {
                await node.AppendAsync(new AppendRequest("tenant-a", $"writer-{w}", ExpectedVersion.Any, Counters($"writer-{w}", 1 + (i % 3))));
            }
        })));

        var head = (await nodeA.ReadHeadAsync()).Position;
        while (subscription.Position < head && !cts.IsCancellationRequested)
        {
            await Task.Delay(20);
        }

        await cts.CancelAsync();
        await following;

        var expectedTotal = writers * Enumerable.Range(0, appendsPerWriter).Sum(i => 1 + (i % 3));
        Assert.Equal(expectedTotal, head);
        Assert.Equal(Enumerable.Range(1, expectedTotal).Select(p => (long)p), seen.ToArray());
        var chain = await HashChainVerifier.VerifyAsync(follower);
        Assert.True(chain.IsValid, chain.Problem);
    }

    [Fact]
    public async Task a_waiter_on_one_node_wakes_when_another_node_appends()
    {
        var writer = Node();
        var reader = Node();
        await writer.AppendAsync(new AppendRequest("tenant-a", "s", ExpectedVersion.NoStream, Counters("s", 1)));

        var waiting = reader.WaitForEventsAsync(1, TimeSpan.FromSeconds(60));
        Assert.False(waiting.IsCompleted);
        await writer.AppendAsync(new AppendRequest("tenant-a", "s", ExpectedVersion.Exact(1), Counters("s", 1)));

        Assert.Same(waiting, await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(20))));
    }

    [Fact]
    public async Task a_lease_is_held_by_one_node_until_it_is_disposed()
    {
        var nodeA = Node();
        var nodeB = Node();

        var first = await nodeA.TryAcquireLeaseAsync("projection:audit");
        Assert.NotNull(first);
        Assert.Null(await nodeB.TryAcquireLeaseAsync("projection:audit"));
        Assert.Null(await nodeA.TryAcquireLeaseAsync("projection:audit"));

        var other = await nodeB.TryAcquireLeaseAsync("projection:statistics");
        Assert.NotNull(other);
        await other.DisposeAsync();

        await first.DisposeAsync();
        var second = await nodeB.TryAcquireLeaseAsync("projection:audit");
        Assert.NotNull(second);
        await second.DisposeAsync();
    }

    [Fact]
    public async Task a_lease_is_released_when_the_session_holding_it_dies()
    {
        var nodeA = Node();
        var nodeB = Node();
        var held = await nodeA.TryAcquireLeaseAsync("projection:audit");
        Assert.NotNull(held);

        // What the server does for a node that crashed or lost its network: end its session.
        await using (var admin = new NpgsqlConnection(ProbeConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                admin);
            Assert.Equal(1L, await kill.ExecuteScalarAsync());
        }

        IAsyncDisposable? taken = null;
        for (var attempt = 0; attempt < 200 && taken is null; attempt++)
        {
            // The terminated backend releases its locks as it exits, a moment after the call returns.
            taken = await nodeB.TryAcquireLeaseAsync("projection:audit");
            if (taken is null)
            {
                await Task.Delay(50);
            }
        }

        Assert.NotNull(taken);
        await taken.DisposeAsync();
        await held.DisposeAsync();
    }

    [Fact]
    public async Task an_exclusive_scope_on_one_node_holds_back_appends_on_every_node_until_it_ends()
    {
        var nodeA = Node();
        var nodeB = Node();
        await nodeB.AppendAsync(new AppendRequest("tenant-a", "s", ExpectedVersion.NoStream, Counters("s", 1)));

        await using var connection = await nodeA.OpenConnectionAsync();
        var scope = await nodeA.BeginExclusiveAsync(connection);
        var append = nodeB.AppendAsync(new AppendRequest("tenant-a", "s", ExpectedVersion.Exact(1), Counters("s", 1)));

        // Observe the append queue up behind the lock rather than guess with a delay.
        Assert.True(await WaitUntilAsync(async () => (long)(await ScalarAsync("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"))! == 1));
        Assert.False(append.IsCompleted);
        Assert.Equal(1, (await nodeA.ReadHeadAsync()).Position);

        await scope.CommitAsync();
        await scope.DisposeAsync();
        Assert.Equal(2, (await append).LastPosition);
    }

    [Fact]
    public async Task several_nodes_starting_at_once_all_create_or_find_the_schema()
    {
        var databases = Enumerable.Range(0, 6).Select(_ => Own(new PostgresDatabase(ConnectionString))).ToArray();
        await Task.WhenAll(databases.Select(d => Task.Run(() => d.InitializeAsync())));

        var store = Own(new PostgresEventStore(databases[^1]));
        var result = await store.AppendAsync(new AppendRequest("tenant-a", "s", ExpectedVersion.NoStream, Counters("s", 2)));
        Assert.Equal(2, result.LastPosition);
    }

    [Fact]
    public async Task a_claim_is_won_by_exactly_one_of_several_nodes()
    {
        var nodes = Enumerable.Range(0, 4).Select(_ => Node()).ToArray();
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                await nodes[i % nodes.Length].AppendAsync(new AppendRequest("tenant-a", $"user-{i}", ExpectedVersion.NoStream, Counters($"user-{i}", 1))
                {
                    Claims = [UniqueClaim.Claim("username", "carol")],
                });
                return true;
            }
            catch (UniqueClaimViolationException)
            {
                return false;
            }
        })));

        Assert.Single(results, won => won);
        Assert.Equal(1, (await nodes[0].ReadHeadAsync()).Position);
    }

    internal static UncommittedEvent[] Counters(string counterId, int count, int by = 1) =>
        Enumerable.Range(0, count)
            .Select(_ => new UncommittedEvent("conformance.counter-incremented.v1", $$"""{"counterId":"{{counterId}}","by":{{by}}}""", EventMetadata.New("test")))
            .ToArray();
}
