using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace KoderId.Oidc.Keys;

/// <summary>The key-encryption key (KEK) that seals the private signing keys at rest: 32 bytes for AES-256-GCM.</summary>
public interface IKeyEncryptionKeyProvider
{
    /// <summary>The KEK. May do I/O once (a generated key file is read or created on first use), then is served from memory.</summary>
    ReadOnlyMemory<byte> GetKey();
}

public static class KeyEncryptionKeys
{
    public const string Setting = "KoderId:Oidc:KeyEncryptionKey";
    public const int Length = 32;

    /// <summary>Parses the configured value: base64 of exactly 32 bytes. Never echoes the value on failure.</summary>
    public static bool TryParse(string? base64, out byte[] key)
    {
        key = [];
        if (string.IsNullOrWhiteSpace(base64))
        {
            return false;
        }

        var buffer = new byte[((base64.Length + 3) / 4) * 3];
        if (!Convert.TryFromBase64String(base64.Trim(), buffer, out var written) || written != Length)
        {
            return false;
        }

        key = buffer[..Length];
        return true;
    }
}

/// <summary>A KEK given in configuration (<c>KoderId:Oidc:KeyEncryptionKey</c>).</summary>
public sealed class ConfiguredKeyEncryptionKey(byte[] key) : IKeyEncryptionKeyProvider
{
    private readonly byte[] _key = key.Length == KeyEncryptionKeys.Length ? key.ToArray() : throw new ArgumentException("A KEK is 32 bytes.", nameof(key));

    public ReadOnlyMemory<byte> GetKey() => _key;
}

/// <summary>
/// The embedded default's KEK when none is configured: a random key in a file beside the SQLite database (mode 0600),
/// created on first use, with one warning, since whoever reads that directory can read the keys. The in-memory provider
/// passes no path and gets a key that lives as long as the process (and its keys).
/// </summary>
public sealed class GeneratedKeyEncryptionKey(string? path, ILogger logger) : IKeyEncryptionKeyProvider
{
    private readonly Lazy<byte[]> _key = new(() => Load(path, logger), LazyThreadSafetyMode.ExecutionAndPublication);

    public string? Path => path;

    public ReadOnlyMemory<byte> GetKey() => _key.Value;

    private static byte[] Load(string? path, ILogger logger)
    {
        if (path is null)
        {
            logger.LogWarning("No {Setting} is configured: signing keys are sealed with a key that lives only in this process.", KeyEncryptionKeys.Setting);
            return RandomNumberGenerator.GetBytes(KeyEncryptionKeys.Length);
        }

        logger.LogWarning(
            "No {Setting} is configured: signing keys are sealed with the generated key in {Path}. Configure one (base64 of 32 random bytes) for production.",
            KeyEncryptionKeys.Setting,
            path);
        if (File.Exists(path))
        {
            return KeyEncryptionKeys.TryParse(File.ReadAllText(path, Encoding.ASCII), out var existing)
                ? existing
                : throw new InvalidOperationException($"The key-encryption key file {path} is not base64 of 32 bytes.");
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var key = RandomNumberGenerator.GetBytes(KeyEncryptionKeys.Length);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var file = new FileStream(path, options);
            file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs.
            return KeyEncryptionKeys.TryParse(File.ReadAllText(path, Encoding.ASCII), out var theirs)
                ? theirs
                : throw new InvalidOperationException($"The key-encryption key file {path} is not base64 of 32 bytes.");
        }
    }
}

/// <summary>
/// Seals a private key (PKCS#8) with AES-256-GCM under the KEK. The sealed form is <c>version(1) | nonce(12) |
/// tag(16) | ciphertext</c>; the tenant and key reference are the associated data, so a row copied to another
/// tenant or key does not open.
/// </summary>
public sealed class PrivateKeyProtector(IKeyEncryptionKeyProvider kek)
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public byte[] Seal(string tenantId, string keyRef, ReadOnlySpan<byte> plaintext)
    {
        var sealedKey = new byte[1 + NonceSize + TagSize + plaintext.Length];
        sealedKey[0] = Version;
        var nonce = sealedKey.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(kek.GetKey().Span, TagSize);
        aes.Encrypt(nonce, plaintext, sealedKey.AsSpan(1 + NonceSize + TagSize), sealedKey.AsSpan(1 + NonceSize, TagSize), Aad(tenantId, keyRef));
        return sealedKey;
    }

    /// <summary>The plaintext key; <see cref="SigningKeyUnavailableException"/> when it does not open (another KEK, a tampered row).</summary>
    public byte[] Open(string tenantId, string keyRef, ReadOnlySpan<byte> sealedKey)
    {
        if (sealedKey.Length < 1 + NonceSize + TagSize || sealedKey[0] != Version)
        {
            throw new SigningKeyUnavailableException($"The private key {keyRef} is not in a known sealed format.");
        }

        var plaintext = new byte[sealedKey.Length - 1 - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(kek.GetKey().Span, TagSize);
            aes.Decrypt(sealedKey.Slice(1, NonceSize), sealedKey[(1 + NonceSize + TagSize)..], sealedKey.Slice(1 + NonceSize, TagSize), plaintext, Aad(tenantId, keyRef));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new SigningKeyUnavailableException($"The private key {keyRef} does not open with the configured {KeyEncryptionKeys.Setting}.", ex);
        }
    }

    private static byte[] Aad(string tenantId, string keyRef) => Encoding.UTF8.GetBytes($"koderid-signing-key/{tenantId}/{keyRef}");
}

/// <summary>A signing key's private half is missing or does not open (KID2129): a configuration fault, never the caller's.</summary>
public sealed class SigningKeyUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code => TokenErrors.SigningKeyUnavailable;
}
