using System.Text.Json.Nodes;
using KoderId.Application.Credentials.Commands;
using KoderId.EventSourcing.Postgres;
using KoderId.EventSourcing.Storage;
using KoderId.Events.Users;
using KoderId.Testing.Postgres;

namespace KoderId.Migration.Zitadel.Tests;

/// <summary>The bulk path (several user streams per atomic append, ADR 0007) on PostgreSQL, which supports it too.</summary>
public sealed class PostgresBulkImportTests : IAsyncLifetime
{
    private PostgresCluster _cluster = null!;
    private string _connectionString = null!;
    private PostgresDatabase _database = null!;
    private CountingEventStore _store = null!;
    private ImportHost _host = null!;

    public async Task InitializeAsync()
    {
        _cluster = await PostgresCluster.SharedAsync();
        _connectionString = await _cluster.CreateDatabaseAsync();
        // Npgsql's default pool (100), not the test cluster's 20: a user load holds its stream's reader while the serializer
        // opens a second connection for the subject key, so the re-run's 32 concurrent users need up to 64 at once.
        _database = new PostgresDatabase(new Npgsql.NpgsqlConnectionStringBuilder(_connectionString) { MaxPoolSize = 100 }.ConnectionString);
        await _database.InitializeAsync();
        _store = new CountingEventStore(new PostgresEventStore(_database));
        _host = new ImportHost(store: _store, keys: new PostgresSubjectKeyStore(_database));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _database.DisposeAsync();
        await _cluster.DropDatabaseAsync(_connectionString);
    }

    private static JsonObject ManyUsers(int count)
    {
        var humans = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            humans.Add(Exports.Human($"3000000000000{i:D5}", $"bulk{i}", Exports.HashedUsers[13].Hash));
        }

        return new JsonObject { ["orgId"] = "100000000000000009", ["org"] = new JsonObject { ["name"] = "Bulk" }, ["humanUsers"] = humans };
    }

    [Fact]
    public async Task a_new_tenants_users_go_in_atomic_multi_stream_appends_and_a_re_run_writes_nothing()
    {
        Assert.True(_host.Store.SupportsMultiStreamAppend);

        var report = await _host.ImportAsync(Exports.Export(ManyUsers(1200)));

        Assert.True(report.Succeeded, string.Join("; ", report.Errors.Select(e => $"{e.Path} {e.Reason}")));
        Assert.Equal(1200, report.Counts["users"].Created);
        Assert.Equal(3, _store.AppendManyCalls);
        Assert.Equal(0, _store.SingleUserAppends);
        var user = await _host.ReadStreamAsync("bulk", "user-bulk-300000000000000001");
        Assert.IsType<UserCreated>(user[0].Event);
        Assert.All(user, e => Assert.Equal("zitadel:user:300000000000000001", e.Stored.Metadata.CausationId));
        Assert.DoesNotContain("bulk1@", user[0].Stored.Data, StringComparison.Ordinal);
        Assert.True((await _host.SendAsync(new VerifyPassword("bulk", "300000000000000001", "Tr0ub4dor&3"))).Succeeded);
        var head = await _host.HeadAsync();

        var again = await _host.ImportAsync(Exports.Export(ManyUsers(1200)));

        Assert.True(again.Succeeded, string.Join("; ", again.Errors.Select(e => $"{e.Path} {e.Reason}")));
        Assert.Equal(1200, again.Counts["users"].Existing);
        Assert.Equal(0, again.Counts["users"].Created);
        Assert.Equal(head, await _host.HeadAsync());
        Assert.Equal(3, _store.AppendManyCalls);
        var chain = await HashChainVerifier.VerifyAsync(_host.Store);
        Assert.True(chain.IsValid, chain.Problem);
    }

    /// <summary>Counts how the importer wrote: multi-stream appends, and single appends to user streams.</summary>
    private sealed class CountingEventStore(PostgresEventStore inner) : DelegatingEventStore(inner), IAsyncDisposable
    {
        private int _appendMany;
        private int _singleUser;

        public int AppendManyCalls => Volatile.Read(ref _appendMany);

        public int SingleUserAppends => Volatile.Read(ref _singleUser);

        public override Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default)
        {
            if (request.StreamId.StartsWith("user-", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _singleUser);
            }

            return Inner.AppendAsync(request, ct);
        }

        public override Task<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<AppendRequest> requests, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _appendMany);
            return Inner.AppendManyAsync(requests, ct);
        }

        public ValueTask DisposeAsync() => ((PostgresEventStore)Inner).DisposeAsync();
    }
}
