using KoderId.Testing.Postgres;
using KoderId.EventSourcing.Conformance;
using KoderId.EventSourcing.Storage;
using Npgsql;
using Xunit;

namespace KoderId.EventSourcing.Postgres.Tests;

public sealed class PostgresConformance : EventStoreConformance
{
    protected override async Task<IStoreHarness> CreateHarnessAsync()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var connectionString = await cluster.CreateDatabaseAsync();
        var database = new PostgresDatabase(connectionString);
        await database.InitializeAsync();
        return new PostgresHarness(cluster, connectionString, database);
    }

    private sealed class PostgresHarness(PostgresCluster cluster, string connectionString, PostgresDatabase database) : IStoreHarness
    {
        private readonly PostgresEventStore _store = new(database);

        public IEventStore Store => _store;

        public ISubjectKeyStore Keys { get; } = new PostgresSubjectKeyStore(database);

        public Task TamperDataAsync(long position, string newData) =>
            ExecuteAsync("UPDATE events SET data = $1 WHERE position = $2", newData, position);

        public Task TamperDeleteAsync(long position) =>
            ExecuteAsync("DELETE FROM events WHERE position = $1", position);

        private async Task ExecuteAsync(string sql, params object[] args)
        {
            await using var connection = await database.OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, connection);
            foreach (var value in args)
            {
                cmd.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        public async ValueTask DisposeAsync()
        {
            await _store.DisposeAsync();
            await database.DisposeAsync();
            await cluster.DropDatabaseAsync(connectionString);
        }
    }
}

public sealed class PostgresDurability : DurabilityConformance, IAsyncLifetime
{
    private readonly List<PostgresDatabase> _opened = [];
    private PostgresCluster? _cluster;
    private string? _connectionString;

    public Task InitializeAsync() => Task.CompletedTask;

    protected override async Task<(string Provider, string ConnectionString)> CreateEmptyTargetAsync()
    {
        _cluster = await PostgresCluster.SharedAsync();
        _connectionString = await _cluster.CreateDatabaseAsync();
        return ("postgres", _connectionString);
    }

    protected override Task<IEventStore> OpenStoreAsync(string connectionString)
    {
        var database = new PostgresDatabase(connectionString);
        _opened.Add(database);
        return Task.FromResult<IEventStore>(new PostgresEventStore(database));
    }

    public async Task DisposeAsync()
    {
        foreach (var database in _opened)
        {
            await database.DisposeAsync();
        }

        if (_cluster is not null && _connectionString is not null)
        {
            await _cluster.DropDatabaseAsync(_connectionString);
        }
    }
}

public sealed class PostgresTransientConformance : TransientStoreConformance
{
    private PostgresCluster? _cluster;
    private string? _connectionString;
    private PostgresDatabase? _database;

    protected override async Task<ITransientStore> CreateStoreAsync(TimeProvider clock)
    {
        _cluster = await PostgresCluster.SharedAsync();
        _connectionString = await _cluster.CreateDatabaseAsync();
        _database = new PostgresDatabase(_connectionString);
        await _database.InitializeAsync();
        return new PostgresTransientStore(_database, clock);
    }

    protected override async Task DisposeStoreAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        if (_cluster is not null && _connectionString is not null)
        {
            await _cluster.DropDatabaseAsync(_connectionString);
        }
    }
}
