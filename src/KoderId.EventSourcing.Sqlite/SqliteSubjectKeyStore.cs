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
    public Task CreateKeysAsync(string tenantId, IReadOnlyCollection<string> subjectIds, CancellationToken ct = default) =>
        CreateKeysAsync(tenantId, subjectIds, read: false, ct);

    /// <summary>Creates the missing keys and reads them all back in the same transaction, with two prepared statements.</summary>
    public async Task<IReadOnlyDictionary<string, byte[]>> GetOrCreateKeysAsync(string tenantId, IReadOnlyCollection<string> subjectIds, CancellationToken ct = default) =>
        await CreateKeysAsync(tenantId, subjectIds, read: true, ct).ConfigureAwait(false);

    private async Task<Dictionary<string, byte[]>> CreateKeysAsync(string tenantId, IReadOnlyCollection<string> subjectIds, bool read, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(subjectIds);
        var keys = new Dictionary<string, byte[]>(read ? subjectIds.Count : 0, StringComparer.Ordinal);
        if (subjectIds.Count == 0)
        {
            return keys;
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
                await using var select = connection.CreateCommand();
                select.Transaction = tx;
                select.CommandText = "SELECT key FROM subject_keys WHERE tenant_id = @t AND subject_id = @s";
                var selectTenant = select.Parameters.Add("@t", SqliteType.Text);
                var selectSubject = select.Parameters.Add("@s", SqliteType.Text);
                foreach (var subject in subjectIds)
                {
                    var key = RandomNumberGenerator.GetBytes(32);
                    t.Value = tenantId;
                    s.Value = subject;
                    k.Value = key;
                    at.Value = TimeStamps.ToUnixMicroseconds(DateTimeOffset.UtcNow);
                    if (await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1)
                    {
                        if (read)
                        {
                            keys[subject] = key;
                        }

                        continue;
                    }

                    if (read)
                    {
                        // The subject had a key already: that one is the key.
                        selectTenant.Value = tenantId;
                        selectSubject.Value = subject;
                        if (await select.ExecuteScalarAsync(ct).ConfigureAwait(false) is byte[] existing)
                        {
                            keys[subject] = existing;
                        }
                    }
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

        return keys;
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
