using System.Data.Common;

namespace KoderId.EventSourcing.Projections;

/// <summary>
/// The connection and transaction a projection writes through, and the real names of its tables. Commands
/// are prepared once per context and reused; on drivers that batch (PostgreSQL), <see cref="WriteAsync"/>
/// queues writes and sends them in one round trip. Both are what make a replay of a million events fast.
/// </summary>
public sealed class ProjectionContext(DbConnection connection, DbTransaction? transaction, SqlDialect dialect, string tableSuffix) : IAsyncDisposable
{
    private const int MaxQueuedWrites = 1_000;
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
    private DbBatch? _queued;

    public DbConnection Connection { get; } = connection;
    public DbTransaction? Transaction { get; } = transaction;
    public SqlDialect Dialect { get; } = dialect;

    /// <summary>The real name of one of the projection's tables, e.g. <c>users</c> -> <c>users_v1</c> (or a rebuild's shadow table).</summary>
    public string Table(string baseName) => baseName + tableSuffix;

    /// <summary>Runs a statement with <c>@name</c> parameters now and returns the rows it affected (queued writes go first).</summary>
    public async Task<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        await FlushAsync(ct).ConfigureAwait(false);
        var command = Prepare(sql, args);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A write whose row count nobody needs: queued where the driver batches, run at once elsewhere. Queued
    /// writes are sent before any read or <see cref="ExecuteAsync"/> through this context and by
    /// <see cref="FlushAsync"/>, which whoever commits the transaction calls first.
    /// </summary>
    public async Task WriteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        if (!Connection.CanCreateBatch)
        {
            await Prepare(sql, args).ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return;
        }

        _queued ??= CreateBatch();
        var command = _queued.CreateBatchCommand();
        command.CommandText = sql;
        foreach (var (name, value) in args)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            command.Parameters.Add(p);
        }

        _queued.BatchCommands.Add(command);
        if (_queued.BatchCommands.Count >= MaxQueuedWrites)
        {
            await FlushAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Sends every queued write. Call before committing the transaction.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        if (_queued is not { } batch)
        {
            return;
        }

        _queued = null;
        await using (batch.ConfigureAwait(false))
        {
            if (batch.BatchCommands.Count > 0)
            {
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }
    }

    public async Task<object?> ScalarAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        await FlushAsync(ct).ConfigureAwait(false);
        var command = Prepare(sql, args);
        var value = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    public DbCommand Prepare(string sql, (string Name, object? Value)[] args)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = Transaction;
            foreach (var (name, _) in args)
            {
                var p = command.CreateParameter();
                p.ParameterName = name;
                command.Parameters.Add(p);
            }

            _commands[sql] = command;
        }

        for (var i = 0; i < args.Length; i++)
        {
            command.Parameters[i].Value = args[i].Value ?? DBNull.Value;
        }

        return command;
    }

    private DbBatch CreateBatch()
    {
        var batch = Connection.CreateBatch();
        batch.Transaction = Transaction;
        return batch;
    }

    public async ValueTask DisposeAsync()
    {
        if (_queued is not null)
        {
            // Never flushed: the owner did not commit (an exception is on its way), so the writes are dropped.
            await _queued.DisposeAsync().ConfigureAwait(false);
            _queued = null;
        }

        foreach (var command in _commands.Values)
        {
            await command.DisposeAsync().ConfigureAwait(false);
        }

        _commands.Clear();
    }
}
