using System.Security.Cryptography;
using KoderId.EventSourcing.Storage;
using Npgsql;
using NpgsqlTypes;

namespace KoderId.EventSourcing.Postgres;

/// <summary>Subject keys in the <c>subject_keys</c> table of the same database, outside the log.</summary>
public sealed class PostgresSubjectKeyStore(PostgresDatabase database) : ISubjectKeyStore
{
    public async Task<byte[]> GetOrCreateKeyAsync(string tenantId, string subjectId, CancellationToken ct = default)
    {
        if (await TryGetKeyAsync(tenantId, subjectId, ct).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        // Two nodes may create a key for one subject at once: the first insert wins and both read it back.
        // An asynchronous commit: the WAL is flushed in order, so the synchronous commit of the append that first
        // uses the key makes the key durable with it, and a crash before that loses a key nothing refers to.
        await using (var connection = await database.OpenAsync(ct).ConfigureAwait(false))
        {
            try
            {
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                await using var batch = new NpgsqlBatch(connection, tx)
                {
                    BatchCommands =
                    {
                        new NpgsqlBatchCommand("SET LOCAL synchronous_commit TO OFF"),
                        new NpgsqlBatchCommand(
                            "INSERT INTO subject_keys (tenant_id, subject_id, key, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, subject_id) DO NOTHING")
                        {
                            Parameters =
                            {
                                new() { Value = tenantId },
                                new() { Value = subjectId },
                                new() { Value = RandomNumberGenerator.GetBytes(32) },
                                new() { Value = TimeStamps.ToUnixMicroseconds(DateTimeOffset.UtcNow) },
                            },
                        },
                    },
                };
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
            }
            catch (NpgsqlException ex)
            {
                throw PostgresErrors.Unavailable("subject key write", ex);
            }
        }

        return await TryGetKeyAsync(tenantId, subjectId, ct).ConfigureAwait(false)
               ?? throw new EventStoreUnavailableException("A subject key could not be stored.");
    }

    /// <summary>One transaction and one round trip for all of them (an asynchronous commit, as for one key).</summary>
    public Task CreateKeysAsync(string tenantId, IReadOnlyCollection<string> subjectIds, CancellationToken ct = default) =>
        CreateKeysAsync(tenantId, subjectIds, read: false, ct);

    /// <summary>Creates the missing keys and reads every key back, in the same round trip (a bulk write's batch, ADR 0007).</summary>
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

        var subjects = subjectIds.Distinct(StringComparer.Ordinal).ToArray();
        var fresh = new byte[subjects.Length][];
        for (var i = 0; i < fresh.Length; i++)
        {
            fresh[i] = RandomNumberGenerator.GetBytes(32);
        }

        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        try
        {
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection, tx)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand("SET LOCAL synchronous_commit TO OFF"),
                    new NpgsqlBatchCommand(
                        "INSERT INTO subject_keys (tenant_id, subject_id, key, created_at) SELECT $1, s, k, $4 FROM unnest($2::text[], $3::bytea[]) AS u(s, k) " +
                        "ON CONFLICT (tenant_id, subject_id) DO NOTHING")
                    {
                        Parameters =
                        {
                            new() { Value = tenantId },
                            new() { Value = subjects, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                            new() { Value = fresh, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea },
                            new() { Value = TimeStamps.ToUnixMicroseconds(DateTimeOffset.UtcNow) },
                        },
                    },
                },
            };
            if (read)
            {
                // A statement of its own: under READ COMMITTED it sees this insert and whatever a concurrent twin committed.
                batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT subject_id, key FROM subject_keys WHERE tenant_id = $1 AND subject_id = ANY($2)")
                {
                    Parameters =
                    {
                        new() { Value = tenantId },
                        new() { Value = subjects, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                    },
                });
            }

            await using (var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                if (read)
                {
                    // The reader skips the statements without rows: this is the SELECT's result.
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        keys[reader.GetString(0)] = reader.GetFieldValue<byte[]>(1);
                    }
                }
            }

            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Unavailable("subject key write", ex);
        }

        return keys;
    }

    public Task<byte[]?> TryGetKeyAsync(string tenantId, string subjectId, CancellationToken ct = default) =>
        database.ReadBytesAsync("SELECT key FROM subject_keys WHERE tenant_id = $1 AND subject_id = $2", "subject key read", ct, tenantId, subjectId);

    public async Task<bool> EraseAsync(string tenantId, string subjectId, CancellationToken ct = default) =>
        await database.ExecuteAsync("DELETE FROM subject_keys WHERE tenant_id = $1 AND subject_id = $2", "subject key write", ct, tenantId, subjectId).ConfigureAwait(false) > 0;
}
