using System.Security.Cryptography;
using System.Text;
using KoderId.Application.Passkeys;
using KoderId.Oidc.Keys;

namespace KoderId.Server.Flows;

/// <summary>
/// The decoy credential key, derived (HKDF-SHA-256, its own label) from the key-encryption key that seals the signing
/// keys (<c>KoderId:Oidc:KeyEncryptionKey</c>): already a secret every node shares and that outlives restarts, and the
/// derivation never exposes the KEK itself. Rotating the KEK changes the decoys, as it would a real list for nobody.
/// </summary>
internal sealed class PasskeyDecoyKey(IKeyEncryptionKeyProvider kek) : IPasskeyDecoyKey
{
    private readonly Lazy<byte[]> _key = new(
        () => HKDF.DeriveKey(HashAlgorithmName.SHA256, kek.GetKey().ToArray(), 32, info: Encoding.ASCII.GetBytes("koderid/passkey-decoys/v1")),
        LazyThreadSafetyMode.ExecutionAndPublication);

    public ReadOnlyMemory<byte> Key => _key.Value;
}
