using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Storage;
using Microsoft.Data.Sqlite;

namespace KoderId.EventSourcing.Sqlite;

/// <summary>
/// One SQLite file holding the log, the unique claims, the subject keys and the read models (so inline
/// projections commit in the append transaction). WAL mode; synchronous=FULL so an acknowledged append
/// survives a power cut, not only a process crash.
/// </summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;
    private int _initialized;

    public SqliteDatabase(string connectionString)
    {
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ArgumentException("The SQLite connection string is not valid (expected e.g. 'Data Source=./data/koderid.db').", nameof(connectionString), ex);
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:")
        {
            throw new ArgumentException("The SQLite connection string needs a file 'Data Source' (the inmemory provider serves in-memory use).", nameof(connectionString));
        }

        builder.Pooling = true;
        if (builder.DefaultTimeout < 30)
        {
            builder.DefaultTimeout = 30;
        }

        _connectionString = builder.ToString();
        FilePath = Path.GetFullPath(builder.DataSource);
    }

    public string FilePath { get; }

    /// <summary>
    /// This process's writers (the append group and the subject-key inserts) take turns here before asking
    /// SQLite for its write lock, so they queue in order instead of meeting SQLITE_BUSY and its sleeping retries.
    /// Other processes on the file are still serialised by SQLite itself.
    /// </summary>
    public SemaphoreSlim WriteGate { get; } = new(1, 1);

    public SqlDialect Dialect => SqlDialect.Sqlite;

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct = default)
    {
        if (Volatile.Read(ref _initialized) == 0)
        {
            await InitializeAsync(ct).ConfigureAwait(false);
        }

        ct.ThrowIfCancellationRequested();
        var connection = SqliteConnections.Open(_connectionString);

        // SQLite's own busy handler retries within milliseconds; without it Microsoft.Data.Sqlite sleeps 150 ms per
        // retry when a projection batch or another process holds the write lock (measured: 30 % of refreshes).
        await using (var busy = connection.CreateCommand())
        {
            busy.CommandText = "PRAGMA busy_timeout=30000";
            await busy.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        return connection;
    }

    /// <summary>Creates the file, its folder and the schema on first use. Safe to call from several processes.</summary>
    public async Task InitializeAsync(CancellationToken ct = default)
    {
        var folder = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        await using var connection = SqliteConnections.Open(_connectionString);
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode=WAL;";
            await pragma.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        foreach (var script in SqlScripts.Load(typeof(SqliteDatabase).Assembly))
        {
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = script;
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await tx.CommitAsync(ct).ConfigureAwait(false);
        Volatile.Write(ref _initialized, 1);
    }
}
