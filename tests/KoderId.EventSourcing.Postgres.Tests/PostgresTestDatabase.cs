using KoderId.Testing.Postgres;
using Npgsql;
using Xunit;

namespace KoderId.EventSourcing.Postgres.Tests;

/// <summary>
/// Base of the PostgreSQL-specific test classes: a fresh database per test (xunit makes an instance per test)
/// on the shared cluster, dropped afterwards together with every node the test opened.
/// </summary>
public abstract class PostgresTestDatabase : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];
    private PostgresCluster? _cluster;
    private string? _connectionString;

    protected string ConnectionString => _connectionString ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>For the test's own probes: unpooled, so no idle session outlives the test's database.</summary>
    protected string ProbeConnectionString => new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString;

    public async Task InitializeAsync()
    {
        _cluster = await PostgresCluster.SharedAsync();
        _connectionString = await _cluster.CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        if (_cluster is not null && _connectionString is not null)
        {
            await _cluster.DropDatabaseAsync(_connectionString);
        }
    }

    /// <summary>Disposed (newest first) when the test ends.</summary>
    protected T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    /// <summary>A server node: its own <see cref="PostgresDatabase"/> (own pool) and store (own in-process signal).</summary>
    protected PostgresEventStore Node()
    {
        var database = Own(new PostgresDatabase(ConnectionString));
        return Own(new PostgresEventStore(database));
    }

    protected async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ProbeConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        return await cmd.ExecuteScalarAsync();
    }

    /// <summary>Polls a condition on the server (up to 10 s): for observing a state, such as a lock wait, instead of sleeping.</summary>
    protected static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 400; attempt++)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(25);
        }

        return false;
    }
}
