using System.Security.Cryptography;
using KoderId.EventSourcing.Storage;
using Microsoft.Data.Sqlite;

namespace KoderId.EventSourcing.Sqlite;

/// <summary>Subject keys in the <c>subject_keys</c> table of the same file, outside the log.</summary>
public sealed class SqliteSubjectKeyStore(SqliteDatabase database) : ISubjectKeyStore
{
    public async Task<byte[]> GetOrCreateKeyAsync(string tenantId, string subjectId, CancellationToken ct = default)
    {
        if (await TryGetKeyAsync(tenantId, subjectId, ct).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        await database.WriteGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await InsertAsync(connection, tenantId, subjectId, ct).ConfigureAwait(false);
        }
        finally
        {
            database.WriteGate.Release();
        }

        return await TryGetKeyAsync(tenantId, subjectId, ct).ConfigureAwait(false)
               ?? throw new EventStoreUnavailableException("A subject key could not be stored.");
    }

    /// <summary>One transaction for all of them (no fsync of its own, as for one key: see <see cref="InsertAsync"/>).</summary>
    public async Task CreateKeysAsync(string tenantId, IReadOnlyCollection<string> subjectIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(subjectIds);
        if (subjectIds.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        await database.WriteGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await using (var relaxed = connection.CreateCommand())
            {
                relaxed.CommandText = "PRAGMA synchronous=NORMAL";
                await relaxed.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            try
            {
                await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                await using var insert = connection.CreateCommand();
                insert.Transaction = tx;
                insert.CommandText = "INSERT OR IGNORE INTO subject_keys (tenant_id, subject_id, key, created_at) VALUES (@t, @s, @k, @at)";
                var t = insert.Parameters.Add("@t", SqliteType.Text);
                var s = insert.Parameters.Add("@s", SqliteType.Text);
                var k = insert.Parameters.Add("@k", SqliteType.Blob);
                var at = insert.Parameters.Add("@at", SqliteType.Integer);
                foreach (var subject in subjectIds)
                {
                    t.Value = tenantId;
                    s.Value = subject;
                    k.Value = RandomNumberGenerator.GetBytes(32);
                    at.Value = TimeStamps.ToUnixMicroseconds(DateTimeOffset.UtcNow);
                    await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                await tx.CommitAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                await using var full = connection.CreateCommand();
                full.CommandText = "PRAGMA synchronous=FULL";
                await full.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            database.WriteGate.Release();
        }
    }

    private static async Task InsertAsync(SqliteConnection connection, string tenantId, string subjectId, CancellationToken ct)
    {
        // No fsync of its own: in WAL mode frames reach the file in order, so the append that first uses the key
        // (synchronous=FULL) makes it durable together with itself, and a crash before that append loses a key
        // nothing refers to. This halves the syncs of every create that brings a new data subject.
        await using (var relaxed = connection.CreateCommand())
        {
            relaxed.CommandText = "PRAGMA synchronous=NORMAL";
            await relaxed.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        try
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT OR IGNORE INTO subject_keys (tenant_id, subject_id, key, created_at) VALUES (@t, @s, @k, @at)";
            insert.Parameters.AddWithValue("@t", tenantId);
            insert.Parameters.AddWithValue("@s", subjectId);
            insert.Parameters.AddWithValue("@k", RandomNumberGenerator.GetBytes(32));
            insert.Parameters.AddWithValue("@at", TimeStamps.ToUnixMicroseconds(DateTimeOffset.UtcNow));
            await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            // The connection goes back to the pool: every other write keeps synchronous=FULL.
            await using var full = connection.CreateCommand();
            full.CommandText = "PRAGMA synchronous=FULL";
            await full.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async Task<byte[]?> TryGetKeyAsync(string tenantId, string subjectId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT key FROM subject_keys WHERE tenant_id = @t AND subject_id = @s";
        cmd.Parameters.AddWithValue("@t", tenantId);
        cmd.Parameters.AddWithValue("@s", subjectId);
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) as byte[];
    }

    public async Task<bool> EraseAsync(string tenantId, string subjectId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "DELETE FROM subject_keys WHERE tenant_id = @t AND subject_id = @s";
        cmd.Parameters.AddWithValue("@t", tenantId);
        cmd.Parameters.AddWithValue("@s", subjectId);
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
    }
}
