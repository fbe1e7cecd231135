using KoderId.EventSourcing.Storage;
using Npgsql;

namespace KoderId.EventSourcing.Postgres;

/// <summary>
/// <see cref="ITransientStore"/> in the <c>transient_entries</c> table of the same database. Each write is one
/// statement whose WHERE clause carries the compare-and-swap, so single use holds across server nodes.
/// </summary>
public sealed class PostgresTransientStore(PostgresDatabase database, TimeProvider? time = null) : ITransientStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<bool> TryAddAsync(string tenantId, string kind, string key, byte[] value, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(value);

        // An expired row with the key is taken over as if it were absent.
        return await ExecuteAsync(
            """
            INSERT INTO transient_entries (tenant_id, kind, key, value, version, expires_at) VALUES ($1, $2, $3, $5, 1, $6)
            ON CONFLICT (tenant_id, kind, key) DO UPDATE SET value = EXCLUDED.value, version = 1, expires_at = EXCLUDED.expires_at
            WHERE transient_entries.expires_at <= $4
            """,
            ct,
            tenantId,
            kind,
            key,
            Now(),
            value,
            TimeStamps.ToUnixMicroseconds(expiresAt)).ConfigureAwait(false) == 1;
    }

    public async Task<TransientEntry?> GetAsync(string tenantId, string kind, string key, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = Command(
            "SELECT value, version, expires_at FROM transient_entries WHERE tenant_id = $1 AND kind = $2 AND key = $3 AND expires_at > $4",
            connection,
            [tenantId, kind, key, Now()]);
        try
        {
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false)
                ? new TransientEntry((byte[])reader.GetValue(0), reader.GetInt64(1), TimeStamps.FromUnixMicroseconds(reader.GetInt64(2)))
                : null;
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Unavailable("transient read", ex);
        }
    }

    public async Task<bool> TryReplaceAsync(string tenantId, string kind, string key, long expectedVersion, byte[] value, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        return await ExecuteAsync(
            """
            UPDATE transient_entries SET value = $6, version = version + 1, expires_at = $7
            WHERE tenant_id = $1 AND kind = $2 AND key = $3 AND expires_at > $4 AND version = $5
            """,
            ct,
            tenantId,
            kind,
            key,
            Now(),
            expectedVersion,
            value,
            TimeStamps.ToUnixMicroseconds(expiresAt)).ConfigureAwait(false) == 1;
    }

    public async Task<bool> TryRemoveAsync(string tenantId, string kind, string key, long expectedVersion, CancellationToken ct = default) =>
        await ExecuteAsync(
            "DELETE FROM transient_entries WHERE tenant_id = $1 AND kind = $2 AND key = $3 AND expires_at > $4 AND version = $5",
            ct,
            tenantId,
            kind,
            key,
            Now(),
            expectedVersion).ConfigureAwait(false) == 1;

    public async Task<long> IncrementAsync(string tenantId, string kind, string key, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        // The count is the row's version; the value mirrors it (little-endian int64) as the in-memory store does.
        // The upsert takes the row lock, so the second statement of the transaction writes the count it returned.
        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        try
        {
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            long count;
            await using (var upsert = Command(
                """
                INSERT INTO transient_entries AS e (tenant_id, kind, key, value, version, expires_at) VALUES ($1, $2, $3, $5, 1, $6)
                ON CONFLICT (tenant_id, kind, key) DO UPDATE SET
                    version = CASE WHEN e.expires_at <= $4 THEN 1 ELSE e.version + 1 END,
                    expires_at = CASE WHEN e.expires_at <= $4 THEN EXCLUDED.expires_at ELSE e.expires_at END
                RETURNING version
                """,
                connection,
                [tenantId, kind, key, Now(), BitConverter.GetBytes(1L), TimeStamps.ToUnixMicroseconds(expiresAt)]))
            {
                upsert.Transaction = tx;
                count = Convert.ToInt64(await upsert.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            }

            await using (var value = Command(
                "UPDATE transient_entries SET value = $4 WHERE tenant_id = $1 AND kind = $2 AND key = $3",
                connection,
                [tenantId, kind, key, BitConverter.GetBytes(count)]))
            {
                value.Transaction = tx;
                await value.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await tx.CommitAsync(ct).ConfigureAwait(false);
            return count;
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Unavailable("transient write", ex);
        }
    }

    public async Task<bool> DeleteAsync(string tenantId, string kind, string key, CancellationToken ct = default) =>
        // An expired row is left to the purge: "there was none" from the caller's point of view.
        await ExecuteAsync(
            "DELETE FROM transient_entries WHERE tenant_id = $1 AND kind = $2 AND key = $3 AND expires_at > $4",
            ct,
            tenantId,
            kind,
            key,
            Now()).ConfigureAwait(false) == 1;

    public Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken ct = default) =>
        ExecuteAsync("DELETE FROM transient_entries WHERE expires_at <= $1", ct, TimeStamps.ToUnixMicroseconds(now));

    private long Now() => TimeStamps.ToUnixMicroseconds(_time.GetUtcNow());

    private async Task<int> ExecuteAsync(string sql, CancellationToken ct, params object[] args)
    {
        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = Command(sql, connection, args);
        try
        {
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Unavailable("transient write", ex);
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
