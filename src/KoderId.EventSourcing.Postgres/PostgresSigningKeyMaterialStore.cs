using KoderId.EventSourcing.Storage;
using Npgsql;

namespace KoderId.EventSourcing.Postgres;

/// <summary>Sealed signing keys in the <c>signing_key_material</c> table of the same database, outside the log.</summary>
public sealed class PostgresSigningKeyMaterialStore(PostgresDatabase database) : ISigningKeyMaterialStore
{
    public async Task PutAsync(string tenantId, string keyRef, byte[] sealedKey, CancellationToken ct = default) =>
        await ExecuteAsync(
            "INSERT INTO signing_key_material (tenant_id, key_ref, sealed_key, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, key_ref) DO NOTHING",
            ct,
            tenantId,
            keyRef,
            sealedKey,
            TimeStamps.ToUnixMicroseconds(DateTimeOffset.UtcNow)).ConfigureAwait(false);

    public async Task<byte[]?> GetAsync(string tenantId, string keyRef, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT sealed_key FROM signing_key_material WHERE tenant_id = $1 AND key_ref = $2", connection)
        {
            Parameters = { new() { Value = tenantId }, new() { Value = keyRef } },
        };
        try
        {
            return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) as byte[];
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Unavailable("signing key read", ex);
        }
    }

    public async Task<bool> DeleteAsync(string tenantId, string keyRef, CancellationToken ct = default) =>
        await ExecuteAsync("DELETE FROM signing_key_material WHERE tenant_id = $1 AND key_ref = $2", ct, tenantId, keyRef).ConfigureAwait(false) > 0;

    private async Task<int> ExecuteAsync(string sql, CancellationToken ct, params object[] args)
    {
        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var value in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        try
        {
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Unavailable("signing key write", ex);
        }
    }
}
