using KoderId.EventSourcing.Conformance;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;
using KoderId.EventSourcing.Subscriptions;
using Npgsql;
using Xunit;

namespace KoderId.EventSourcing.Postgres.Tests;

/// <summary>The read side on PostgreSQL: inline projections in the append transaction, rebuilds that swap under the append lock.</summary>
public sealed class PostgresProjectionTests : PostgresTestDatabase
{
    [Fact]
    public async Task an_inline_projection_commits_with_the_append_and_not_without_it()
    {
        var (store, manager) = ProjectedNode();
        await manager.EnsureAsync();

        await store.AppendAsync(new AppendRequest("tenant-a", "c1", ExpectedVersion.NoStream, PostgresMultiNodeTests.Counters("c1", 3, by: 2)));
        await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            store.AppendAsync(new AppendRequest("tenant-a", "c1", ExpectedVersion.NoStream, PostgresMultiNodeTests.Counters("c1", 1, by: 100))));

        Assert.Equal(6, await TotalAsync(store, "c1"));
        Assert.True(await manager.InlineProjectionsCurrentAsync());
    }

    [Fact]
    public async Task a_rebuild_while_another_node_appends_loses_no_event()
    {
        var (writer, _) = ProjectedNode();
        var (rebuilder, manager) = ProjectedNode();
        await manager.EnsureAsync();
        for (var i = 0; i < 50; i++)
        {
            await writer.AppendAsync(new AppendRequest("tenant-a", $"c{i % 5}", ExpectedVersion.Any, PostgresMultiNodeTests.Counters($"c{i % 5}", 4)));
        }

        using var stop = new CancellationTokenSource();
        var appended = 200L;
        var appending = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await writer.AppendAsync(new AppendRequest("tenant-a", "c0", ExpectedVersion.Any, PostgresMultiNodeTests.Counters("c0", 1)));
                Interlocked.Increment(ref appended);
            }
        });

        var rebuilt = await manager.RebuildAsync("counter-totals");
        await stop.CancelAsync();
        await appending;
        await writer.AppendAsync(new AppendRequest("tenant-a", "c1", ExpectedVersion.Any, PostgresMultiNodeTests.Counters("c1", 1)));
        appended++;

        Assert.True(rebuilt.Events >= 200);
        long total = 0;
        for (var c = 0; c < 5; c++)
        {
            total += await TotalAsync(rebuilder, $"c{c}");
        }

        Assert.Equal(appended, total);
        var status = Assert.Single(await manager.ListAsync());
        Assert.True(status.IsCurrent, $"position {status.Position}, head {status.Head}");
    }

    [Fact]
    public async Task checkpoints_are_kept_in_the_database()
    {
        var (store, _) = ProjectedNode();
        var checkpoints = new SqlCheckpointStore(store);
        Assert.Equal(0, await checkpoints.LoadAsync("relay"));
        await checkpoints.SaveAsync("relay", 42);
        await checkpoints.SaveAsync("relay", 43);
        Assert.Equal(43, await new SqlCheckpointStore(ProjectedNode().Store).LoadAsync("relay"));
    }

    private (PostgresEventStore Store, ProjectionManager Manager) ProjectedNode()
    {
        var database = Own(new PostgresDatabase(ConnectionString));
        var serializer = new EventSerializer(TestEvents.Registry(), new PostgresSubjectKeyStore(database));
        IProjection[] projections = [new CounterTotals()];
        var store = Own(new PostgresEventStore(database, new InlineProjector(projections, serializer)));
        return (store, new ProjectionManager(store, store, serializer, projections));
    }

    internal static async Task<long> TotalAsync(PostgresEventStore store, string counterId)
    {
        await using var connection = await store.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("SELECT total FROM counter_totals_v1 WHERE counter_id = $1", (NpgsqlConnection)connection)
        {
            Parameters = { new() { Value = counterId } },
        };
        return await cmd.ExecuteScalarAsync() is long total ? total : 0;
    }

    internal sealed class CounterTotals : SqlProjection
    {
        public CounterTotals()
            : base("counter-totals", 1, ProjectionLifecycle.Inline, "counter_totals")
        {
            On<CounterIncremented>((ctx, e, _, ct) =>
            {
                var table = ctx.Table("counter_totals");
                return ctx.ExecuteAsync(
                    $"INSERT INTO {table} (counter_id, total) VALUES (@id, @by) ON CONFLICT (counter_id) DO UPDATE SET total = {table}.total + excluded.total",
                    ct,
                    ("@id", e.CounterId),
                    ("@by", (long)e.By));
            });
        }

        public override Task CreateAsync(ProjectionContext context, CancellationToken ct) =>
            context.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {context.Table("counter_totals")} (counter_id TEXT PRIMARY KEY, total BIGINT NOT NULL)", ct);
    }
}
