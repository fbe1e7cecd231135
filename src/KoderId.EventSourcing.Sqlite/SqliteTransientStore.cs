using KoderId.EventSourcing.Storage;
using Microsoft.Data.Sqlite;

namespace KoderId.EventSourcing.Sqlite;

/// <summary>
/// <see cref="ITransientStore"/> in the <c>transient_entries</c> table of the same file. Each write is one statement
/// whose WHERE clause carries the compare-and-swap, so single use holds across processes on the file; this
/// process's writers queue on <see cref="SqliteDatabase.WriteGate"/> like the other stores.
/// </summary>
public sealed class SqliteTransientStore(SqliteDatabase database, TimeProvider? time = null) : ITransientStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public Task<bool> TryAddAsync(string tenantId, string kind, string key, byte[] value, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        return WriteAsync(
            async cmd =>
            {
                // An expired row with the key is taken over as if it were absent.
                cmd.CommandText = """
                    INSERT INTO transient_entries (tenant_id, kind, key, value, version, expires_at) VALUES (@t, @k, @key, @v, 1, @exp)
                    ON CONFLICT (tenant_id, kind, key) DO UPDATE SET value = excluded.value, version = 1, expires_at = excluded.expires_at
                    WHERE transient_entries.expires_at <= @now
                    """;
                Bind(cmd, tenantId, kind, key);
                cmd.Parameters.AddWithValue("@v", value);
                cmd.Parameters.AddWithValue("@exp", TimeStamps.ToUnixMicroseconds(expiresAt));
                return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
            },
            ct);
    }

    public async Task<TransientEntry?> GetAsync(string tenantId, string kind, string key, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT value, version, expires_at FROM transient_entries WHERE tenant_id = @t AND kind = @k AND key = @key AND expires_at > @now";
        Bind(cmd, tenantId, kind, key);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false)
            ? new TransientEntry((byte[])reader.GetValue(0), reader.GetInt64(1), TimeStamps.FromUnixMicroseconds(reader.GetInt64(2)))
            : null;
    }

    public Task<bool> TryReplaceAsync(string tenantId, string kind, string key, long expectedVersion, byte[] value, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        return WriteAsync(
            async cmd =>
            {
                cmd.CommandText = """
                    UPDATE transient_entries SET value = @v, version = version + 1, expires_at = @exp
                    WHERE tenant_id = @t AND kind = @k AND key = @key AND version = @ver AND expires_at > @now
                    """;
                Bind(cmd, tenantId, kind, key);
                cmd.Parameters.AddWithValue("@v", value);
                cmd.Parameters.AddWithValue("@exp", TimeStamps.ToUnixMicroseconds(expiresAt));
                cmd.Parameters.AddWithValue("@ver", expectedVersion);
                return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
            },
            ct);
    }

    public Task<bool> TryRemoveAsync(string tenantId, string kind, string key, long expectedVersion, CancellationToken ct = default) =>
        WriteAsync(
            async cmd =>
            {
                cmd.CommandText = "DELETE FROM transient_entries WHERE tenant_id = @t AND kind = @k AND key = @key AND version = @ver AND expires_at > @now";
                Bind(cmd, tenantId, kind, key);
                cmd.Parameters.AddWithValue("@ver", expectedVersion);
                return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
            },
            ct);

    public Task<long> IncrementAsync(string tenantId, string kind, string key, DateTimeOffset expiresAt, CancellationToken ct = default) =>
        WriteAsync(
            async cmd =>
            {
                // The count is the row's version; the value mirrors it (little-endian int64) as the in-memory store does.
                cmd.CommandText = """
                    INSERT INTO transient_entries (tenant_id, kind, key, value, version, expires_at) VALUES (@t, @k, @key, @one, 1, @exp)
                    ON CONFLICT (tenant_id, kind, key) DO UPDATE SET
                        version = CASE WHEN transient_entries.expires_at <= @now THEN 1 ELSE transient_entries.version + 1 END,
                        expires_at = CASE WHEN transient_entries.expires_at <= @now THEN excluded.expires_at ELSE transient_entries.expires_at END
                    RETURNING version
                    """;
                Bind(cmd, tenantId, kind, key);
                cmd.Parameters.AddWithValue("@one", BitConverter.GetBytes(1L));
                cmd.Parameters.AddWithValue("@exp", TimeStamps.ToUnixMicroseconds(expiresAt));
                var count = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                cmd.Parameters.Clear();
                cmd.CommandText = "UPDATE transient_entries SET value = @v WHERE tenant_id = @t AND kind = @k AND key = @key";
                Bind(cmd, tenantId, kind, key);
                cmd.Parameters.AddWithValue("@v", BitConverter.GetBytes(count));
                await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                return count;
            },
            ct,
            transaction: true);

    public Task<bool> DeleteAsync(string tenantId, string kind, string key, CancellationToken ct = default) =>
        WriteAsync(
            async cmd =>
            {
                // An expired row is left to the purge: "there was none" from the caller's point of view.
                cmd.CommandText = "DELETE FROM transient_entries WHERE tenant_id = @t AND kind = @k AND key = @key AND expires_at > @now";
                Bind(cmd, tenantId, kind, key);
                return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
            },
            ct);

    public Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken ct = default) =>
        WriteAsync(
            async cmd =>
            {
                cmd.CommandText = "DELETE FROM transient_entries WHERE expires_at <= @purge";
                cmd.Parameters.AddWithValue("@purge", TimeStamps.ToUnixMicroseconds(now));
                return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            ct);

    private void Bind(SqliteCommand cmd, string tenantId, string kind, string key)
    {
        cmd.Parameters.AddWithValue("@t", tenantId);
        cmd.Parameters.AddWithValue("@k", kind);
        cmd.Parameters.AddWithValue("@key", key);
        cmd.Parameters.AddWithValue("@now", TimeStamps.ToUnixMicroseconds(_time.GetUtcNow()));
    }

    private async Task<T> WriteAsync<T>(Func<SqliteCommand, Task<T>> write, CancellationToken ct, bool transaction = false)
    {
        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);

        // Transient rows need no fsync per write: losing the last flow steps in a power cut only makes users start over.
        await using (var relaxed = connection.CreateCommand())
        {
            relaxed.CommandText = "PRAGMA synchronous=NORMAL";
            await relaxed.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await database.WriteGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await using var tx = transaction ? connection.BeginTransaction(deferred: false) : null;
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            var result = await write(cmd).ConfigureAwait(false);
            if (tx is not null)
            {
                await tx.CommitAsync(ct).ConfigureAwait(false);
            }

            return result;
        }
        catch (SqliteException ex)
        {
            throw new EventStoreUnavailableException($"SQLite transient store write failed (error {ex.SqliteErrorCode}).", ex);
        }
        finally
        {
            database.WriteGate.Release();

            // The connection goes back to the pool: every other write keeps synchronous=FULL.
            await using var full = connection.CreateCommand();
            full.CommandText = "PRAGMA synchronous=FULL";
            await full.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
