namespace KoderId.Application.Credentials;

/// <summary>
/// The Argon2id cost a tenant asks for. A stored hash made with other parameters still verifies and is
/// rehashed at the next successful login (<see cref="NeedsRehash(string)"/>).
/// </summary>
/// <remarks>
/// The default is OWASP's Argon2id baseline (Password Storage Cheat Sheet): 19 MiB, 2 passes, 1 lane.
/// One lane also keeps libsodium usable, which computes only p = 1 (see <see cref="SodiumArgon2idHasher"/>).
/// </remarks>
public sealed record PasswordHashingPolicy(int MemoryKiB = 19_456, int Iterations = 2, int Parallelism = 1)
{
    public const int SaltBytes = 16;
    public const int HashBytes = 32;

    public static PasswordHashingPolicy Default { get; } = new();

    /// <summary>The parameters; throws <see cref="ArgumentOutOfRangeException"/> when the policy is out of range.</summary>
    public Argon2idParameters Parameters => new(MemoryKiB, Iterations, Parallelism);

    /// <summary>True when <paramref name="stored"/> was made with other parameters, salt or hash length than this policy writes.</summary>
    public bool NeedsRehash(PasswordHash stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return stored.Parameters.MemoryKiB != MemoryKiB
            || stored.Parameters.Iterations != Iterations
            || stored.Parameters.Parallelism != Parallelism
            || stored.Salt.Length != SaltBytes
            || stored.Hash.Length != HashBytes;
    }

    /// <summary>As <see cref="NeedsRehash(PasswordHash)"/>; a string that does not parse needs a new hash too.</summary>
    public bool NeedsRehash(string stored) => !PasswordHash.TryParse(stored, out var hash, out _) || NeedsRehash(hash);
}
