using System.Collections.Concurrent;
using KoderId.EventSourcing.Conformance;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;
using KoderId.EventSourcing.Subscriptions;
using Npgsql;
using Xunit;

namespace KoderId.EventSourcing.Postgres.Tests;

/// <summary>
/// <see cref="PostgresEventStore.AppendManyAsync"/> beside the group-committed single appends (ADR 0007): the same
/// advisory lock orders both on every node, so the chain stays linear and positions become visible in order.
/// </summary>
public sealed class PostgresBulkAppendTests : PostgresTestDatabase
{
    [Fact]
    public async Task multi_stream_appends_racing_single_appends_on_two_nodes_keep_the_chain_valid_and_every_position_seen_once_in_order()
    {
        const int bulkWriters = 4;
        const int batchesPerWriter = 10;
        const int streamsPerBatch = 20;
        const int singleWriters = 8;
        const int appendsPerWriter = 30;
        var nodeA = Node();
        var nodeB = Node();
        var follower = Node();
        var seen = new ConcurrentQueue<long>();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var subscription = new CatchUpSubscription(follower, new InMemoryCheckpointStore(), "bulk", (e, _) =>
        {
            seen.Enqueue(e.Position);
            return ValueTask.CompletedTask;
        }, batchSize: 64);
        var following = subscription.RunAsync(cts.Token);

        var bulk = Enumerable.Range(0, bulkWriters).Select(w => Task.Run(async () =>
        {
            var node = w % 2 == 0 ? nodeA : nodeB;
            for (var b = 0; b < batchesPerWriter; b++)
            {
                var requests = Enumerable.Range(0, streamsPerBatch)
                    .Select(s => new AppendRequest("tenant-a", $"bulk-{w}-{b}-{s}", ExpectedVersion.NoStream, PostgresMultiNodeTests.Counters($"bulk-{w}-{b}-{s}", 1 + (s % 3)))
                    {
                        Claims = [UniqueClaim.Claim("username", $"user-{w}-{b}-{s}")],
                    })
                    .ToArray();
                await node.AppendManyAsync(requests);
            }
        }));
        var single = Enumerable.Range(0, singleWriters).Select(w => Task.Run(async () =>
        {
            var node = w % 2 == 0 ? nodeB : nodeA;
            for (var i = 0; i < appendsPerWriter; i++)
            {
                await node.AppendAsync(new AppendRequest("tenant-a", $"single-{w}", ExpectedVersion.Any, PostgresMultiNodeTests.Counters($"single-{w}", 1 + (i % 2))));
            }
        }));
        await Task.WhenAll(bulk.Concat(single));

        var head = (await nodeA.ReadHeadAsync()).Position;
        while (subscription.Position < head && !cts.IsCancellationRequested)
        {
            await Task.Delay(20);
        }

        await cts.CancelAsync();
        try
        {
            await following;
        }
        catch (OperationCanceledException)
        {
        }

        var expected = (bulkWriters * batchesPerWriter * Enumerable.Range(0, streamsPerBatch).Sum(s => 1 + (s % 3))) +
                       (singleWriters * Enumerable.Range(0, appendsPerWriter).Sum(i => 1 + (i % 2)));
        Assert.Equal(expected, head);
        Assert.Equal(Enumerable.Range(1, expected).Select(p => (long)p), seen.ToArray());
        var chain = await HashChainVerifier.VerifyAsync(follower);
        Assert.True(chain.IsValid, chain.Problem);
        Assert.Equal(expected, chain.EventsChecked);
        Assert.Equal("bulk-3-9-19", await follower.GetClaimOwnerAsync("tenant-a", "username", "user-3-9-19"));
        Assert.Equal(Enumerable.Range(0, appendsPerWriter).Sum(i => 1 + (i % 2)), await follower.GetStreamVersionAsync("tenant-a", "single-7"));
    }

    [Fact]
    public async Task a_multi_stream_append_waits_for_an_exclusive_scope_on_another_node()
    {
        var nodeA = Node();
        var nodeB = Node();
        await nodeB.AppendAsync(new AppendRequest("tenant-a", "s", ExpectedVersion.NoStream, PostgresMultiNodeTests.Counters("s", 1)));

        await using var connection = await nodeA.OpenConnectionAsync();
        var scope = await nodeA.BeginExclusiveAsync(connection);
        var append = nodeB.AppendManyAsync([new AppendRequest("tenant-a", "s", ExpectedVersion.Exact(1), PostgresMultiNodeTests.Counters("s", 1))]);

        Assert.True(await WaitUntilAsync(async () => (long)(await ScalarAsync("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"))! == 1));
        Assert.False(append.IsCompleted);
        await scope.CommitAsync();
        await scope.DisposeAsync();

        var result = Assert.Single(await append);
        Assert.Equal((2L, 2L), (result.LastPosition, result.StreamVersion));
    }

    [Fact]
    public async Task a_claim_inserted_by_a_writer_that_bypasses_the_append_lock_refuses_the_whole_multi_stream_append()
    {
        var store = Node();
        await store.AppendAsync(new AppendRequest("tenant-a", "warm-up", ExpectedVersion.NoStream, PostgresMultiNodeTests.Counters("warm-up", 1)));
        await using var rogue = new NpgsqlConnection(ProbeConnectionString);
        await rogue.OpenAsync();
        await using var rogueTx = await rogue.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO unique_claims (tenant_id, scope, value, stream_id) VALUES ('tenant-a', 'username', 'carol', 'user-rogue')", rogue, rogueTx))
        {
            await insert.ExecuteNonQueryAsync();
        }

        var append = store.AppendManyAsync(
        [
            new AppendRequest("tenant-a", "user-1", ExpectedVersion.NoStream, PostgresMultiNodeTests.Counters("user-1", 1)) { Claims = [UniqueClaim.Claim("username", "bob")] },
            new AppendRequest("tenant-a", "user-2", ExpectedVersion.NoStream, PostgresMultiNodeTests.Counters("user-2", 1)) { Claims = [UniqueClaim.Claim("username", "carol")] },
        ]);

        // The batch's read cannot see the uncommitted row, so its INSERT waits on the rogue transaction.
        Assert.True(await WaitUntilAsync(async () => (long)(await ScalarAsync("SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted"))! == 1));
        await rogueTx.CommitAsync();

        var ex = await Assert.ThrowsAsync<UniqueClaimViolationException>(() => append);
        Assert.Equal("user-rogue", ex.OwnerStreamId);
        Assert.Equal(1, (await store.ReadHeadAsync()).Position);
        Assert.Null(await store.GetClaimOwnerAsync("tenant-a", "username", "bob"));
    }

    [Fact]
    public async Task a_multi_stream_append_keeps_inline_read_models_current_and_a_refused_one_changes_none()
    {
        var database = Own(new PostgresDatabase(ConnectionString));
        var serializer = new EventSerializer(TestEvents.Registry(), new PostgresSubjectKeyStore(database));
        IProjection[] projections = [new PostgresProjectionTests.CounterTotals()];
        var store = Own(new PostgresEventStore(database, new InlineProjector(projections, serializer)));
        var manager = new ProjectionManager(store, store, serializer, projections);
        await manager.EnsureAsync();

        await store.AppendManyAsync(
        [
            new AppendRequest("tenant-a", "c1", ExpectedVersion.NoStream, PostgresMultiNodeTests.Counters("c1", 3, by: 2)),
            new AppendRequest("tenant-a", "c2", ExpectedVersion.NoStream, PostgresMultiNodeTests.Counters("c2", 1, by: 5)),
            new AppendRequest("tenant-a", "c1", ExpectedVersion.Exact(3), PostgresMultiNodeTests.Counters("c1", 1, by: 10)),
        ]);
        await Assert.ThrowsAsync<WrongExpectedVersionException>(() => store.AppendManyAsync(
        [
            new AppendRequest("tenant-a", "c2", ExpectedVersion.Exact(1), PostgresMultiNodeTests.Counters("c2", 1, by: 100)),
            new AppendRequest("tenant-a", "c1", ExpectedVersion.NoStream, PostgresMultiNodeTests.Counters("c1", 1, by: 100)),
        ]));

        Assert.Equal(16, await PostgresProjectionTests.TotalAsync(store, "c1"));
        Assert.Equal(5, await PostgresProjectionTests.TotalAsync(store, "c2"));
        Assert.True(await manager.InlineProjectionsCurrentAsync());
    }

    [Fact]
    public async Task subject_keys_of_a_batch_are_created_once_and_existing_keys_are_kept()
    {
        var database = Own(new PostgresDatabase(ConnectionString));
        ISubjectKeyStore keys = new PostgresSubjectKeyStore(database);
        var existing = await keys.GetOrCreateKeyAsync("tenant-a", "alice");

        var batch = await keys.GetOrCreateKeysAsync("tenant-a", ["alice", "bob", "carol", "bob"]);
        var again = await keys.GetOrCreateKeysAsync("tenant-a", ["bob", "carol"]);
        await keys.CreateKeysAsync("tenant-b", ["alice"]);

        Assert.Equal(["alice", "bob", "carol"], batch.Keys.Order());
        Assert.Equal(existing, batch["alice"]);
        Assert.Equal(batch["bob"], again["bob"]);
        Assert.Equal(batch["carol"], await keys.TryGetKeyAsync("tenant-a", "carol"));
        Assert.NotEqual(batch["alice"], await keys.TryGetKeyAsync("tenant-b", "alice"));
        Assert.Equal(32, batch["bob"].Length);
    }
}
