using KoderId.Oidc.Keys;
using KoderId.Server.Storage;

namespace KoderId.Server.Configuration;

/// <summary>
/// The key-encryption key of the signing keys (<c>KoderId:Oidc:KeyEncryptionKey</c>, base64 of 32 bytes). Required
/// with PostgreSQL (several nodes must share it, and a database dump must not be enough to sign); the embedded
/// SQLite default generates one into <c>koderid.kek</c> beside the database on first use; the in-memory provider
/// uses one for the life of the process. Resolving it does no I/O, so the start-up check can run it.
/// </summary>
public static class KeyEncryptionKeySetup
{
    public const string FileName = "koderid.kek";

    public static IKeyEncryptionKeyProvider Create(IConfiguration configuration, StorageBackend backend, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(loggers);
        var configured = configuration[KeyEncryptionKeys.Setting];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return KeyEncryptionKeys.TryParse(configured, out var key)
                ? new ConfiguredKeyEncryptionKey(key)
                : throw new ConfigurationException($"{KeyEncryptionKeys.Setting} must be base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`).");
        }

        var logger = loggers.CreateLogger(typeof(KeyEncryptionKeySetup).FullName!);
        return backend.Provider switch
        {
            StorageOptions.Postgres => throw new ConfigurationException(
                $"{KeyEncryptionKeys.Setting} is required for provider postgres (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)."),
            StorageOptions.Sqlite => new GeneratedKeyEncryptionKey(Path.Combine(Path.GetDirectoryName(backend.DataSource) ?? ".", FileName), logger),
            _ => new GeneratedKeyEncryptionKey(null, logger),
        };
    }
}
