using KoderId.EventSourcing.Storage;

namespace KoderId.EventSourcing.Sqlite;

/// <summary>Sealed signing keys in the <c>signing_key_material</c> table of the same file, outside the log.</summary>
public sealed class SqliteSigningKeyMaterialStore(SqliteDatabase database) : ISigningKeyMaterialStore
{
    public async Task PutAsync(string tenantId, string keyRef, byte[] sealedKey, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "INSERT OR IGNORE INTO signing_key_material (tenant_id, key_ref, sealed_key, created_at) VALUES (@t, @r, @k, @at)";
        cmd.Parameters.AddWithValue("@t", tenantId);
        cmd.Parameters.AddWithValue("@r", keyRef);
        cmd.Parameters.AddWithValue("@k", sealedKey);
        cmd.Parameters.AddWithValue("@at", TimeStamps.ToUnixMicroseconds(DateTimeOffset.UtcNow));
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public async Task<byte[]?> GetAsync(string tenantId, string keyRef, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT sealed_key FROM signing_key_material WHERE tenant_id = @t AND key_ref = @r";
        cmd.Parameters.AddWithValue("@t", tenantId);
        cmd.Parameters.AddWithValue("@r", keyRef);
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) as byte[];
    }

    public async Task<bool> DeleteAsync(string tenantId, string keyRef, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "DELETE FROM signing_key_material WHERE tenant_id = @t AND key_ref = @r";
        cmd.Parameters.AddWithValue("@t", tenantId);
        cmd.Parameters.AddWithValue("@r", keyRef);
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
    }
}
