using KoderId.EventSourcing.Storage;
using Npgsql;
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

    [Fact]
    public async Task a_claim_inserted_by_a_writer_that_bypasses_the_append_lock_is_still_a_claim_violation()
    {
        var store = Node();
        await store.AppendAsync(new AppendRequest("tenant-a", "warm-up", ExpectedVersion.NoStream, PostgresMultiNodeTests.Counters("warm-up", 1)));

        // Another writer (an old node, a manual fix) holds an uncommitted claim on the same value.
        await using var rogue = new NpgsqlConnection(ProbeConnectionString);
        await rogue.OpenAsync();
        await using var rogueTx = await rogue.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO unique_claims (tenant_id, scope, value, stream_id) VALUES ('tenant-a', 'username', 'carol', 'user-rogue')", rogue, rogueTx))
        {
            await insert.ExecuteNonQueryAsync();
        }

        var append = store.AppendAsync(new AppendRequest("tenant-a", "user-1", ExpectedVersion.NoStream, PostgresMultiNodeTests.Counters("user-1", 1))
        {
            Claims = [UniqueClaim.Claim("username", "carol")],
        });

        // The append's own check cannot see the uncommitted row, so its INSERT waits on the rogue transaction.
        Assert.True(await WaitUntilAsync(async () => (long)(await ScalarAsync("SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted"))! == 1));
        Assert.False(append.IsCompleted);
        await rogueTx.CommitAsync();

        var ex = await Assert.ThrowsAsync<UniqueClaimViolationException>(() => append);
        Assert.Equal("user-rogue", ex.OwnerStreamId);
        Assert.Equal(1, (await store.ReadHeadAsync()).Position);
        Assert.Equal(0, await store.GetStreamVersionAsync("tenant-a", "user-1"));
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
