using System.Data;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Storage;
using Npgsql;

namespace KoderId.EventSourcing.Postgres;

/// <summary>
/// One PostgreSQL database holding the log, the unique claims, the subject keys and the read models (so inline
/// projections commit in the append transaction). Several server nodes share it; appends are serialised with
/// an advisory lock (docs/adr/0003-postgres-ordering.md). Connections come from one pooled
/// <see cref="NpgsqlDataSource"/>; leases and the notification listener use unpooled connections of their own.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource _pooled;
    private readonly NpgsqlDataSource _dedicated;
    private readonly SemaphoreSlim _initializeLock = new(1, 1);
    private int _initialized;

    public PostgresDatabase(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException or InvalidCastException or OverflowException)
        {
            // Neither the parser's message nor the inner exception: a password holding ';' or '=' would show up in them.
            throw new ArgumentException(
                "The PostgreSQL connection string is not valid (expected e.g. 'Host=db.internal;Database=koderid;Username=koderid;Password=...').",
                nameof(connectionString));
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new ArgumentException("The PostgreSQL connection string needs a 'Host' (a name, an address or a Unix socket folder).", nameof(connectionString));
        }

        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "koderid";
        }

        Host = builder.Host;
        Port = builder.Port;
        DatabaseName = builder.Database ?? builder.Username ?? "";
        _pooled = NpgsqlDataSource.Create(builder.ConnectionString);

        // A lease or a LISTEN lives exactly as long as its session: never hand such a session back to a pool.
        var dedicated = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Pooling = false };
        if (dedicated.KeepAlive == 0)
        {
            dedicated.KeepAlive = 30;
        }

        _dedicated = NpgsqlDataSource.Create(dedicated.ConnectionString);
    }

    public string Host { get; }

    public int Port { get; }

    public string DatabaseName { get; }

    public SqlDialect Dialect => SqlDialect.Postgres;

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct = default)
    {
        if (Volatile.Read(ref _initialized) == 0)
        {
            await InitializeAsync(ct).ConfigureAwait(false);
        }

        return await OpenPooledAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the schema on first use. Safe when several nodes start at once: the scripts run in one
    /// transaction under an advisory lock, so a second node waits and then finds every table in place.
    /// </summary>
    public async Task InitializeAsync(CancellationToken ct = default)
    {
        await _initializeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _initialized) == 1)
            {
                return;
            }

            await using var connection = await OpenPooledAsync(ct).ConfigureAwait(false);
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct).ConfigureAwait(false);
            await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, tx))
            {
                // CREATE TABLE IF NOT EXISTS is not safe against a concurrent twin (both may pass the check),
                // hence the lock; the transaction-scoped form is released by the commit or by a dropped session.
                lockCmd.Parameters.Add(new NpgsqlParameter { Value = AdvisoryLocks.Schema });
                await lockCmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            foreach (var script in SqlScripts.Load(typeof(PostgresDatabase).Assembly))
            {
                await using var cmd = new NpgsqlCommand(script, connection, tx);
                await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await tx.CommitAsync(ct).ConfigureAwait(false);
            Volatile.Write(ref _initialized, 1);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Unavailable("schema initialisation", ex);
        }
        finally
        {
            _initializeLock.Release();
        }
    }

    /// <summary>An unpooled connection whose session ends when it is disposed (leases, LISTEN).</summary>
    internal async Task<NpgsqlConnection> OpenDedicatedAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _initialized) == 0)
        {
            await InitializeAsync(ct).ConfigureAwait(false);
        }

        try
        {
            return await _dedicated.OpenConnectionAsync(ct).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Unavailable("connection", ex);
        }
    }

    /// <summary>Where the store lives, without credentials: safe for logs.</summary>
    public override string ToString() => $"postgres://{Host}:{Port}/{DatabaseName}";

    public async ValueTask DisposeAsync()
    {
        await _pooled.DisposeAsync().ConfigureAwait(false);
        await _dedicated.DisposeAsync().ConfigureAwait(false);
        _initializeLock.Dispose();
    }

    private async Task<NpgsqlConnection> OpenPooledAsync(CancellationToken ct)
    {
        try
        {
            return await _pooled.OpenConnectionAsync(ct).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Unavailable("connection", ex);
        }
    }

    /// <summary>One parameterised statement on its own connection (the key tables beside the log); driver faults name <paramref name="what"/>.</summary>
    internal async Task<int> ExecuteAsync(string sql, string what, CancellationToken ct, params object[] args)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = Command(sql, connection, args);
        try
        {
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Unavailable(what, ex);
        }
    }

    /// <summary>The first column of the first row, as bytes (null when there is no row).</summary>
    internal async Task<byte[]?> ReadBytesAsync(string sql, string what, CancellationToken ct, params object[] args)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = Command(sql, connection, args);
        try
        {
            return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) as byte[];
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Unavailable(what, ex);
        }
    }

    private static NpgsqlCommand Command(string sql, NpgsqlConnection connection, object[] args)
    {
        var cmd = new NpgsqlCommand(sql, connection);
        foreach (var value in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return cmd;
    }
}
