namespace KoderId.EventSourcing.Storage;

/// <summary>
/// The sealed (encrypted) private halves of the signing keys, kept in their own table outside the log: the log's
/// <c>key.rotated.v1</c> names a row by its reference and carries only the public key. The store never sees a
/// plaintext key; sealing and opening are the caller's (AES-256-GCM under the configured key-encryption key).
/// </summary>
public interface ISigningKeyMaterialStore
{
    /// <summary>Stores a sealed key under a fresh reference; an existing reference is left as it is.</summary>
    Task PutAsync(string tenantId, string keyRef, byte[] sealedKey, CancellationToken ct = default);

    /// <summary>The sealed key, or null when there is none.</summary>
    Task<byte[]?> GetAsync(string tenantId, string keyRef, CancellationToken ct = default);

    /// <summary>Deletes a key (one whose rotation lost a race and never reached the log). False when there was none.</summary>
    Task<bool> DeleteAsync(string tenantId, string keyRef, CancellationToken ct = default);
}
