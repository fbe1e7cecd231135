using KoderId.EventSourcing.Sqlite;
using KoderId.EventSourcing.Storage;
using KoderId.EventSourcing.Subscriptions;

namespace KoderId.EventSourcing.Sqlite.Tests;

public sealed class SqliteSpecificTests : IAsyncLifetime
{
    private readonly string _folder = TempFolder.Create();
    private string ConnectionString => $"Data Source={Path.Combine(_folder, "koderid.db")}";

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        TempFolder.Delete(_folder);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task the_database_file_and_its_folder_are_created_on_first_use()
    {
        var nested = Path.Combine(_folder, "nested", "data", "koderid.db");
        var store = new SqliteEventStore(new SqliteDatabase($"Data Source={nested}"));
        await store.AppendAsync(new AppendRequest("t", "s", ExpectedVersion.NoStream, [Event()]));
        await store.DisposeAsync();
        Assert.True(File.Exists(nested));
    }

    [Fact]
    public async Task two_store_instances_on_one_file_keep_positions_dense_and_the_chain_linear()
    {
        var first = new SqliteEventStore(new SqliteDatabase(ConnectionString));
        var second = new SqliteEventStore(new SqliteDatabase(ConnectionString));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var store = w % 2 == 0 ? first : second;
            for (var i = 0; i < 25; i++)
            {
                await store.AppendAsync(new AppendRequest("t", $"writer-{w}", ExpectedVersion.Any, [Event(), Event()]));
            }
        })));

        var positions = new List<long>();
        await foreach (var e in first.ReadAllAsync(0))
        {
            positions.Add(e.Position);
        }

        Assert.Equal(Enumerable.Range(1, 400).Select(p => (long)p), positions);
        Assert.True((await HashChainVerifier.VerifyAsync(second)).IsValid);
        await first.DisposeAsync();
        await second.DisposeAsync();
    }

    [Fact]
    public async Task a_subscription_resumes_from_a_checkpoint_stored_in_the_database()
    {
        var store = new SqliteEventStore(new SqliteDatabase(ConnectionString));
        await store.AppendAsync(new AppendRequest("t", "s", ExpectedVersion.NoStream, [Event(), Event(), Event()]));
        var seen = await RunOnceAsync(store, new SqlCheckpointStore(store), head: 3);
        Assert.Equal([1L, 2, 3], seen);

        await store.AppendAsync(new AppendRequest("t", "s", ExpectedVersion.Exact(3), [Event(), Event()]));

        // A new checkpoint store object over the same database: the position came from the table.
        var resumed = await RunOnceAsync(store, new SqlCheckpointStore(store), head: 5);
        Assert.Equal([4L, 5], resumed);
        await store.DisposeAsync();
    }

    [Fact]
    public void an_invalid_connection_string_is_refused_with_a_clear_message()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SqliteDatabase("Data Source=:memory:"));
        Assert.Contains("file", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<ArgumentException>(() => new SqliteDatabase("Nonsense Key=1"));
    }

    private static async Task<List<long>> RunOnceAsync(IEventStore store, ICheckpointStore checkpoints, long head)
    {
        var seen = new List<long>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var subscription = new CatchUpSubscription(store, checkpoints, "audit-relay", (e, _) =>
        {
            seen.Add(e.Position);
            return ValueTask.CompletedTask;
        });
        var run = subscription.RunAsync(cts.Token);
        while (await checkpoints.LoadAsync("audit-relay") < head)
        {
            await Task.Delay(10, cts.Token);
        }

        await cts.CancelAsync();
        await run;
        return seen;
    }

    private static UncommittedEvent Event() => new("test.happened.v1", """{"x":1}""", EventMetadata.New("test"));
}
