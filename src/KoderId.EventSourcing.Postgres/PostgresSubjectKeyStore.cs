using System.Security.Cryptography;
using KoderId.EventSourcing.Storage;
using Npgsql;

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

    public Task<byte[]?> TryGetKeyAsync(string tenantId, string subjectId, CancellationToken ct = default) =>
        database.ReadBytesAsync("SELECT key FROM subject_keys WHERE tenant_id = $1 AND subject_id = $2", "subject key read", ct, tenantId, subjectId);

    public async Task<bool> EraseAsync(string tenantId, string subjectId, CancellationToken ct = default) =>
        await database.ExecuteAsync("DELETE FROM subject_keys WHERE tenant_id = $1 AND subject_id = $2", "subject key write", ct, tenantId, subjectId).ConfigureAwait(false) > 0;
}
