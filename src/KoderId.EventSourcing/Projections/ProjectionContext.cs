using System.Data.Common;

namespace KoderId.EventSourcing.Projections;

/// <summary>
/// The connection and transaction a projection writes through, and the real names of its tables. Commands
/// are prepared once per context and reused, which is what makes a replay of a million events fast.
/// </summary>
public sealed class ProjectionContext(DbConnection connection, DbTransaction? transaction, SqlDialect dialect, string tableSuffix) : IAsyncDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    public DbConnection Connection { get; } = connection;
    public DbTransaction? Transaction { get; } = transaction;
    public SqlDialect Dialect { get; } = dialect;

    /// <summary>The real name of one of the projection's tables, e.g. <c>users</c> -> <c>users_v1</c> (or a rebuild's shadow table).</summary>
    public string Table(string baseName) => baseName + tableSuffix;

    /// <summary>Runs a statement with <c>@name</c> parameters; the command is prepared once per SQL text.</summary>
    public async Task<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        var command = Prepare(sql, args);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public async Task<object?> ScalarAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
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

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _commands.Values)
        {
            await command.DisposeAsync().ConfigureAwait(false);
        }

        _commands.Clear();
    }
}
