namespace KoderId.Application.Credentials;

/// <summary>
/// Computes and checks Argon2id password hashes in PHC string form. Every implementation writes strings the
/// others verify. Calls are CPU- and memory-heavy: go through <see cref="PasswordHashingService"/>, which
/// bounds how many run at once.
/// </summary>
public interface IPasswordHasher
{
    /// <summary>A short name for benchmarks and diagnostics.</summary>
    string Name { get; }

    /// <summary>Hashes <paramref name="password"/> with a fresh random salt at the policy's parameters.</summary>
    string Hash(string password, PasswordHashingPolicy policy);

    /// <summary>
    /// True when <paramref name="password"/> matches; the comparison is constant-time. Throws
    /// <see cref="PasswordHashFormatException"/> when <paramref name="stored"/> is not a supported PHC string.
    /// </summary>
    bool Verify(string password, string stored);
}
