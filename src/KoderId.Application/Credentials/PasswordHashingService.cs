namespace KoderId.Application.Credentials;

/// <summary>
/// The way handlers hash and check passwords: every computation passes the <see cref="PasswordHashingGate"/>.
/// </summary>
public sealed class PasswordHashingService(IPasswordHasher hasher, PasswordHashingGate gate)
{
    public IPasswordHasher Hasher => hasher;

    /// <summary>Hashes at <paramref name="policy"/>. Throws <see cref="PasswordHashingBusyException"/> past capacity.</summary>
    public async ValueTask<string> HashAsync(string password, PasswordHashingPolicy policy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(policy);
        using var lease = await gate.EnterAsync(ct).ConfigureAwait(false);
        return hasher.Hash(password, policy);
    }

    /// <summary>
    /// Checks <paramref name="password"/> against <paramref name="stored"/>; on success says whether the hash
    /// should be replaced by one at <paramref name="policy"/> (the transparent rehash at login). Throws
    /// <see cref="PasswordHashingBusyException"/> past capacity and <see cref="PasswordHashFormatException"/>
    /// for a stored string that is not a supported hash.
    /// </summary>
    public async ValueTask<PasswordVerification> VerifyAsync(string password, string stored, PasswordHashingPolicy policy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (!PasswordHash.TryParse(stored, out var parsed, out var error))
        {
            // An imported hash (bcrypt, scrypt, pbkdf2, sha-crypt, ...: ADR 0007) verifies once and is then replaced.
            if (!Legacy.ImportedPasswordHash.TryParse(stored, out var imported, out var importedError))
            {
                throw new PasswordHashFormatException(error == PasswordHashFormatError.UnsupportedAlgorithm ? importedError : error);
            }

            bool importedMatches;
            using (await gate.EnterAsync(ct).ConfigureAwait(false))
            {
                importedMatches = imported.Verify(password);
            }

            return importedMatches ? PasswordVerification.SucceededRehashNeeded : PasswordVerification.Failed;
        }

        bool matches;
        using (await gate.EnterAsync(ct).ConfigureAwait(false))
        {
            matches = hasher.Verify(password, stored);
        }

        if (!matches)
        {
            return PasswordVerification.Failed;
        }

        return policy.NeedsRehash(parsed) ? PasswordVerification.SucceededRehashNeeded : PasswordVerification.Succeeded;
    }

    /// <summary>Whether <paramref name="stored"/> is a hash this service verifies: Argon2id PHC or an imported format.</summary>
    public static bool IsVerifiable(string? stored) =>
        PasswordHash.TryParse(stored, out _, out _) || Legacy.ImportedPasswordHash.TryParse(stored, out _, out _);
}

public enum PasswordVerification
{
    Failed = 0,
    Succeeded,

    /// <summary>The password is right and the stored hash is below the current policy: store a new hash.</summary>
    SucceededRehashNeeded,
}
