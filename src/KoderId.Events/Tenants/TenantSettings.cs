namespace KoderId.Events.Tenants;

/// <summary>
/// A tenant's policies: what passwords must be and how they are hashed, when an account locks, how long
/// tokens live and how they are signed. The payload of <see cref="TenantSettingsChanged"/> and the record the
/// application, the read side and the OIDC endpoints share; the rules on the values are the Tenant aggregate's.
/// </summary>
public sealed record TenantSettings(
    PasswordSettings Password,
    LockoutSettings Lockout,
    TokenLifetimeSettings Tokens,
    SigningSettings Signing,
    MfaSettings? Mfa = null)
{
    /// <summary>Settings stored before the MFA section existed read as its defaults.</summary>
    public MfaSettings? Mfa { get; init; } = Mfa ?? new MfaSettings();

    /// <summary>NIST SP 800-63B passwords, OWASP's Argon2id baseline, 15 min access / 1 h ID / 30 d refresh tokens.</summary>
    public static TenantSettings Default { get; } = new(PasswordSettings.Default, new LockoutSettings(), new TokenLifetimeSettings(), new SigningSettings(), new MfaSettings());
}

/// <summary>Length window in code points (NFKC) and the Argon2id cost new hashes are made with.</summary>
public sealed record PasswordSettings(int MinLength, int MaxLength, Argon2idSettings Hashing)
{
    public static PasswordSettings Default { get; } = new(12, 128, new Argon2idSettings());
}

/// <summary>OWASP's Argon2id baseline by default: 19 MiB, 2 passes, 1 lane.</summary>
public sealed record Argon2idSettings(int MemoryKiB = 19_456, int Iterations = 2, int Parallelism = 1);

/// <summary>
/// Failed sign-ins before the account locks, and the lock's length: <c>BaseBackoffSeconds</c> doubling per
/// further lock up to <c>MaxLockDurationSeconds</c>.
/// </summary>
public sealed record LockoutSettings(int MaxFailedAttempts = 5, int BaseBackoffSeconds = 60, int MaxLockDurationSeconds = 3600);

/// <summary>Lifetimes in seconds.</summary>
public sealed record TokenLifetimeSettings(
    int AccessTokenSeconds = 900,
    int IdTokenSeconds = 3600,
    int RefreshTokenSeconds = 2_592_000,
    int AuthorizationCodeSeconds = 60);

/// <summary>JWS algorithms (RFC 7518) of issued tokens: <c>RS256</c> or <c>ES256</c>.</summary>
public sealed record SigningSettings(string AccessTokenAlgorithm = "ES256", string IdTokenAlgorithm = "RS256");

/// <summary>Whether every user of the tenant needs a second factor to complete a sign-in (ADR 0006).</summary>
public sealed record MfaSettings(bool Required = false);
