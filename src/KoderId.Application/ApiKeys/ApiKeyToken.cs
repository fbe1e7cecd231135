using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace KoderId.Application.ApiKeys;

/// <summary>
/// The presented form of an API key, <c>kid_&lt;keyId&gt;_&lt;secret&gt;</c>: the key id (32 lowercase hex, no
/// <c>_</c>) finds the key without a scan, the secret is 32 random bytes (256 bits) in base64url. Only
/// SHA-256(secret) is stored: a fast hash is enough for a 256-bit random secret (no dictionary to guess
/// from), and it keeps the authentication hot path cheap.
/// </summary>
public static class ApiKeyToken
{
    public const string Prefix = "kid_";
    private const int SecretBytes = 32;
    private const int KeyIdLength = 32;

    public static string NewKeyId() => Guid.CreateVersion7().ToString("N");

    public static string NewSecret() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));

    public static string Format(string keyId, string secret) => $"{Prefix}{keyId}_{secret}";

    public static bool LooksLikeApiKey(string presented) => presented is not null && presented.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Splits a presented key; false for anything not of the form (the caller answers as for an unknown key).</summary>
    public static bool TryParse(string presented, [NotNullWhen(true)] out string? keyId, [NotNullWhen(true)] out string? secret)
    {
        keyId = null;
        secret = null;
        if (!LooksLikeApiKey(presented) || presented.Length != Prefix.Length + KeyIdLength + 1 + 43 || presented[Prefix.Length + KeyIdLength] != '_')
        {
            return false;
        }

        var id = presented.Substring(Prefix.Length, KeyIdLength);
        if (!IsKeyId(id))
        {
            return false;
        }

        keyId = id;
        secret = presented[(Prefix.Length + KeyIdLength + 1)..];
        return true;
    }

    public static bool IsKeyId(string? keyId) =>
        keyId is { Length: KeyIdLength } && keyId.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>base64url SHA-256 of the secret: what <c>api-key.created.v1</c> carries.</summary>
    public static string Hash(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
    }

    /// <summary>Hashes <paramref name="secret"/> and compares digests in constant time; a malformed stored hash never matches.</summary>
    public static bool Verify(string secret, string storedHash)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(storedHash);
        Span<byte> stored = stackalloc byte[SHA256.HashSizeInBytes];
        var decoded = Base64Url.DecodeFromChars(storedHash, stored, out _, out var written) == System.Buffers.OperationStatus.Done && written == stored.Length;
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        return CryptographicOperations.FixedTimeEquals(presented, stored) && decoded;
    }
}
