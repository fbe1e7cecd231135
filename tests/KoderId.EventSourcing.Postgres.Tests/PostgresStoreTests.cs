using KoderId.EventSourcing.Storage;
using Xunit;

namespace KoderId.EventSourcing.Postgres.Tests;

/// <summary>What the PostgreSQL driver adds to the conformance suite: its storage types and its own refusals.</summary>
public sealed class PostgresStoreTests : PostgresTestDatabase
{
    [Fact]
    public async Task event_data_is_kept_as_the_exact_text_the_hash_covers()
    {
        var store = Node();
        const string data = """{ "zeta": 1,  "alpha": [1, 2.50, "ü"], "nested": {"b": true, "a": null} }""";
        await store.AppendAsync(new AppendRequest("tenant-a", "s", ExpectedVersion.NoStream, [new UncommittedEvent("test.spaced.v1", data, EventMetadata.New())]));

        var stored = Assert.Single(await ReadAllAsync(store));
        Assert.Equal(data, stored.Data);
        var chain = await HashChainVerifier.VerifyAsync(store);
        Assert.True(chain.IsValid, chain.Problem);
    }

    [Fact]
    public async Task a_nul_character_is_refused_as_bad_input_and_nothing_is_written()
    {
        var store = Node();
        var metadata = EventMetadata.New() with { UserAgent = "curl\0/8.0" };

        var ex = await Assert.ThrowsAsync<InvalidAppendException>(() =>
            store.AppendAsync(new AppendRequest("tenant-a", "s", ExpectedVersion.Any, [new UncommittedEvent("test.tick.v1", "{}", metadata)])));
        Assert.Equal("KID3004", ex.Code);
        await Assert.ThrowsAsync<InvalidAppendException>(() =>
            store.AppendAsync(new AppendRequest("tenant-a", "s", ExpectedVersion.Any, PostgresMultiNodeTests.Counters("s", 1)) { Claims = [UniqueClaim.Claim("username", "a\0b")] }));
        Assert.Equal(0, (await store.ReadHeadAsync()).Position);
    }

    [Fact]
    public async Task the_schema_is_created_once_and_reinitialising_keeps_the_log()
    {
        var store = Node();
        await store.AppendAsync(new AppendRequest("tenant-a", "s", ExpectedVersion.NoStream, PostgresMultiNodeTests.Counters("s", 3)));

        await using (var again = new PostgresDatabase(ConnectionString))
        {
            await again.InitializeAsync();
        }

        Assert.Equal(3, (await store.ReadHeadAsync()).Position);
        Assert.Equal("uuid", await ScalarAsync("SELECT data_type FROM information_schema.columns WHERE table_name = 'events' AND column_name = 'event_id'"));
        Assert.Equal("text", await ScalarAsync("SELECT data_type FROM information_schema.columns WHERE table_name = 'events' AND column_name = 'data'"));
    }

    private static async Task<List<StoredEvent>> ReadAllAsync(IEventStore store)
    {
        var list = new List<StoredEvent>();
        await foreach (var e in store.ReadAllAsync(0))
        {
            list.Add(e);
        }

        return list;
    }
}
