using KoderId.EventSourcing.Storage;

namespace KoderId.EventSourcing.Postgres;

/// <summary>Sealed signing keys in the <c>signing_key_material</c> table of the same database, outside the log.</summary>
public sealed class PostgresSigningKeyMaterialStore(PostgresDatabase database) : ISigningKeyMaterialStore
{
    public async Task PutAsync(string tenantId, string keyRef, byte[] sealedKey, CancellationToken ct = default) =>
        await database.ExecuteAsync(
            "INSERT INTO signing_key_material (tenant_id, key_ref, sealed_key, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, key_ref) DO NOTHING",
            "signing key write",
            ct,
            tenantId,
            keyRef,
            sealedKey,
            TimeStamps.ToUnixMicroseconds(DateTimeOffset.UtcNow)).ConfigureAwait(false);

    public Task<byte[]?> GetAsync(string tenantId, string keyRef, CancellationToken ct = default) =>
        database.ReadBytesAsync("SELECT sealed_key FROM signing_key_material WHERE tenant_id = $1 AND key_ref = $2", "signing key read", ct, tenantId, keyRef);

    public async Task<bool> DeleteAsync(string tenantId, string keyRef, CancellationToken ct = default) =>
        await database.ExecuteAsync("DELETE FROM signing_key_material WHERE tenant_id = $1 AND key_ref = $2", "signing key write", ct, tenantId, keyRef).ConfigureAwait(false) > 0;
}
