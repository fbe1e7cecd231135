using NSec.Cryptography;

namespace KoderId.Application.Credentials;

/// <summary>Argon2id in libsodium through NSec.Cryptography (native, vectorised).</summary>
/// <remarks>
/// NSec exposes libsodium's <c>crypto_pwhash</c>, which computes only one lane (p = 1; NSec refuses any other
/// <see cref="Argon2Parameters.DegreeOfParallelism"/>) and only 16-byte salts. A stored hash outside that
/// (p &gt; 1, or an imported hash with another salt length) is computed by <see cref="KonsciousArgon2idHasher"/>
/// instead, so every PHC string that parses still verifies. New hashes at a p &gt; 1 policy go the same way.
/// </remarks>
public sealed class SodiumArgon2idHasher : Argon2idHasher
{
    public static SodiumArgon2idHasher Instance { get; } = new();

    public override string Name => "NSec (libsodium)";

    /// <summary>True when libsodium itself computes these parameters and salt length.</summary>
    public static bool Supports(Argon2idParameters parameters, int saltBytes)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return parameters.Parallelism == 1 && saltBytes == 16;
    }

    protected override void Derive(byte[] password, byte[] salt, Argon2idParameters parameters, byte[] output)
    {
        if (!Supports(parameters, salt.Length))
        {
            KonsciousArgon2idHasher.Instance.DeriveFallback(password, salt, parameters, output);
            return;
        }

        var algorithm = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = 1,
            MemorySize = parameters.MemoryKiB,
            NumberOfPasses = parameters.Iterations,
        });
        algorithm.DeriveBytes(password, salt, output);
    }
}
