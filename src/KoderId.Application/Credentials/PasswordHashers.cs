namespace KoderId.Application.Credentials;

/// <summary>Chooses the Argon2id engine.</summary>
public static class PasswordHashers
{
    /// <summary>
    /// The faster engine at <paramref name="policy"/>: libsodium when it computes those parameters (p = 1),
    /// Konscious otherwise. Measured in <c>tests/KoderId.PasswordBenchmarks</c>, numbers in
    /// <c>docs/benchmarks.md</c> ("Password hashing (issue 3)"). Both write the same PHC strings.
    /// </summary>
    public static IPasswordHasher CreateDefault(PasswordHashingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return SodiumArgon2idHasher.Supports(policy.Parameters, PasswordHashingPolicy.SaltBytes)
            ? SodiumArgon2idHasher.Instance
            : KonsciousArgon2idHasher.Instance;
    }
}
