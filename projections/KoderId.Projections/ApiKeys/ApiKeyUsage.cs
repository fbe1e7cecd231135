using System.Collections.Concurrent;
using System.Data.Common;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.ApiKeys;

/// <summary>
/// "Last used" of each key, deliberately not an event: one event per authenticated request would grow the log
/// (and every replay and backup) with traffic rather than with decisions, and the audit trail already records
/// what a key changed. So it is a small table beside the read models, not rebuilt by any projection and lost
/// with no harm, written at most once per <see cref="Interval"/> per key per node (and, across nodes, only when
/// the stored value is older than that). Best effort: a failed write is dropped, never failing the request.
/// </summary>
public sealed class ApiKeyUsage(IReadModelStore store)
{
    public const string TableName = "api_key_last_used";
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _written = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _created = new(1, 1);
    private volatile bool _ready;

    /// <summary>Records a use at <paramref name="now"/> unless this key's use was recorded less than a minute ago; true when it wrote.</summary>
    public async Task<bool> TouchAsync(string keyId, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (_written.TryGetValue(keyId, out var last) && now - last < Interval)
        {
            return false;
        }

        _written[keyId] = now;
        try
        {
            await EnsureTableAsync(ct).ConfigureAwait(false);
            var micros = ReadModelSql.Micros(now);
            await using var connection = await store.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText =
                $"""
                INSERT INTO {TableName} (key_id, last_used_at) VALUES (@key, @at)
                ON CONFLICT (key_id) DO UPDATE SET last_used_at = excluded.last_used_at WHERE {TableName}.last_used_at < @threshold
                """;
            Add(command, "@key", keyId);
            Add(command, "@at", micros);
            Add(command, "@threshold", micros - (long)Interval.TotalMicroseconds);
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }
        catch (DbException)
        {
            // Best effort (see the summary): a busy or read-only database costs a "last used" value, not the request.
            return false;
        }
    }

    /// <summary>The table is created on first use, so a fresh database needs no migration step.</summary>
    public async Task EnsureTableAsync(CancellationToken ct = default)
    {
        if (_ready)
        {
            return;
        }

        await _created.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!_ready)
            {
                await using var connection = await store.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var command = connection.CreateCommand();
                command.CommandText = $"CREATE TABLE IF NOT EXISTS {TableName} (key_id TEXT NOT NULL PRIMARY KEY, last_used_at BIGINT NOT NULL)";
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                _ready = true;
            }
        }
        finally
        {
            _created.Release();
        }
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}
