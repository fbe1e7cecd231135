using KoderId.Events.Tenants;

namespace KoderId.Domain.Tenants;

public static partial class Tenant
{
    public const int MinPasswordMinLength = 8;
    public const int MaxPasswordLength = 1024;

    /// <summary>NIST SP 800-63B: a verifier accepts passwords of at least 64 characters.</summary>
    public const int MinPasswordMaxLength = 64;

    // The Argon2id bounds of the application's Argon2idParameters: past them a hash is refused rather than computed.
    public const int MaxArgon2MemoryKiB = 1024 * 1024;
    public const int MaxArgon2Iterations = 64;
    public const int MaxArgon2Parallelism = 64;

    public static readonly IReadOnlyList<string> SigningAlgorithms = ["RS256", "ES256"];

    /// <summary>
    /// Replaces the tenant's settings with <paramref name="settings"/> (the whole record). Settings equal to the
    /// current ones change nothing. A blocked tenant may still be configured; a deleted one may not.
    /// </summary>
    public static IReadOnlyList<object> ChangeSettings(TenantState state, TenantSettings settings)
    {
        EnsureWritable(state);
        EnsureValidSettings(settings);
        return settings == state.Settings ? [] : [new TenantSettingsChanged(state.TenantId, settings)];
    }

    /// <summary>Throws KID1032-KID1037 for the first rule <paramref name="settings"/> breaks.</summary>
    public static void EnsureValidSettings(TenantSettings? settings)
    {
        if (settings?.Password?.Hashing is null || settings.Lockout is null || settings.Tokens is null || settings.Signing is null)
        {
            throw new DomainException(DomainErrors.TenantInvalidSettings, "Settings need the password, lockout, tokens and signing sections.");
        }

        var password = settings.Password;
        if (password.MinLength is < MinPasswordMinLength or > MaxPasswordLength
            || password.MaxLength is < MinPasswordMaxLength or > MaxPasswordLength
            || password.MinLength > password.MaxLength)
        {
            throw new DomainException(DomainErrors.TenantInvalidPasswordPolicy,
                $"The minimum password length is {MinPasswordMinLength} to {MaxPasswordLength}, the maximum {MinPasswordMaxLength} to {MaxPasswordLength} and not below the minimum.");
        }

        var hashing = password.Hashing;
        if (hashing.Parallelism is < 1 or > MaxArgon2Parallelism
            || hashing.Iterations is < 1 or > MaxArgon2Iterations
            || hashing.MemoryKiB < 8L * hashing.Parallelism || hashing.MemoryKiB > MaxArgon2MemoryKiB)
        {
            throw new DomainException(DomainErrors.TenantInvalidHashingPolicy,
                $"Argon2id needs 1 to {MaxArgon2Parallelism} lanes, 1 to {MaxArgon2Iterations} passes and 8 KiB per lane to {MaxArgon2MemoryKiB} KiB of memory.");
        }

        var lockout = settings.Lockout;
        if (lockout.MaxFailedAttempts is < 1 or > 100
            || lockout.BaseBackoffSeconds is < 1 or > 86_400
            || lockout.MaxLockDurationSeconds < lockout.BaseBackoffSeconds || lockout.MaxLockDurationSeconds > 2_592_000)
        {
            throw new DomainException(DomainErrors.TenantInvalidLockoutPolicy,
                "A lockout allows 1 to 100 failed attempts, backs off 1 s to 1 d at first and locks for at most 30 d, not less than the first backoff.");
        }

        var tokens = settings.Tokens;
        if (tokens.AccessTokenSeconds is < 60 or > 86_400
            || tokens.IdTokenSeconds is < 60 or > 86_400
            || tokens.RefreshTokenSeconds is < 60 or > 31_536_000
            || tokens.AuthorizationCodeSeconds is < 10 or > 600)
        {
            throw new DomainException(DomainErrors.TenantInvalidTokenLifetime,
                "Access and ID tokens live 60 s to 24 h, refresh tokens 60 s to 365 d and authorization codes 10 to 600 s.");
        }

        if (!SigningAlgorithms.Contains(settings.Signing.AccessTokenAlgorithm, StringComparer.Ordinal)
            || !SigningAlgorithms.Contains(settings.Signing.IdTokenAlgorithm, StringComparer.Ordinal))
        {
            throw new DomainException(DomainErrors.TenantInvalidSigningAlgorithm, "A token signing algorithm is RS256 or ES256.");
        }

        EnsureValidEmailSettings(settings.Email ?? EmailSettings.Default);
    }

    /// <summary>
    /// KID1370: the public origin is an absolute https origin (http only for a loopback host, for development)
    /// with nothing after the authority; the from address is a plain address.
    /// </summary>
    private static void EnsureValidEmailSettings(EmailSettings email)
    {
        if (email.PublicOrigin is { } origin && !IsOrigin(origin))
        {
            throw new DomainException(DomainErrors.EmailInvalidSettings, "The email public origin is an https origin such as https://login.example.com, without a path, query or fragment.");
        }

        if (email.FromAddress is { } from)
        {
            try
            {
                Users.User.NormalizeEmail(from);
            }
            catch (DomainException)
            {
                throw new DomainException(DomainErrors.EmailInvalidSettings, "The email from address is a plain address such as no-reply@example.com.");
            }
        }
    }

    private static bool IsOrigin(string value) =>
        value.Length <= 253
        && Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
        && string.IsNullOrEmpty(uri.UserInfo)
        && uri.AbsolutePath == "/" && !value.EndsWith('/') && uri.Query.Length == 0 && uri.Fragment.Length == 0
        && string.Equals(uri.GetLeftPart(UriPartial.Authority), value, StringComparison.OrdinalIgnoreCase);
}
