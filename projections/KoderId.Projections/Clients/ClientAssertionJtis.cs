using System.Data.Common;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.Clients;

/// <summary>
/// The <c>jti</c> of each accepted <c>private_key_jwt</c> client assertion (RFC 7523 §3 item 7), until it expires:
/// a small table beside the read models, so a replay is refused on every node that shares the database (one
/// SQLite file or the PostgreSQL cluster). Not an event: one row per token request would grow the log with
/// traffic (ADR 0004, "hot paths append nothing"). The primary key makes the first use win atomically.
/// </summary>
public sealed class ClientAssertionJtis(IReadModelStore store)
{
    public const string TableName = "client_assertion_jtis";
    public const int MaxJtiLength = 256;

    private readonly SemaphoreSlim _created = new(1, 1);
    private volatile bool _ready;
    private long _uses;

    /// <summary>Records the jti; false when it was already used (a replay). Expired rows are purged now and then.</summary>
    public async Task<bool> TryUseAsync(string tenantId, string clientId, string jti, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(jti);
        await EnsureTableAsync(ct).ConfigureAwait(false);
        await using var connection = await store.OpenConnectionAsync(ct).ConfigureAwait(false);
        if (Interlocked.Increment(ref _uses) % 256 == 1)
        {
            await using var purge = connection.CreateCommand();
            purge.CommandText = $"DELETE FROM {TableName} WHERE expires_at < @now";
            Add(purge, "@now", ReadModelSql.Micros(now));
            await purge.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await using var command = connection.CreateCommand();
        command.CommandText =
            $"INSERT INTO {TableName} (tenant_id, client_id, jti, expires_at) VALUES (@tenant, @client, @jti, @expires) ON CONFLICT (tenant_id, client_id, jti) DO NOTHING";
        Add(command, "@tenant", tenantId);
        Add(command, "@client", clientId);
        Add(command, "@jti", jti);
        Add(command, "@expires", ReadModelSql.Micros(expiresAt));
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
    }

    private async Task EnsureTableAsync(CancellationToken ct)
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
                command.CommandText =
                    $"CREATE TABLE IF NOT EXISTS {TableName} (tenant_id TEXT NOT NULL, client_id TEXT NOT NULL, jti TEXT NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (tenant_id, client_id, jti))";
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
