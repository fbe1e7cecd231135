namespace KoderId.Application.Credentials;

/// <summary>Argon2id in managed code (Konscious.Security.Cryptography.Argon2). Any parameters and salt length.</summary>
public sealed class KonsciousArgon2idHasher : Argon2idHasher
{
    public static KonsciousArgon2idHasher Instance { get; } = new();

    public override string Name => "Konscious";

    protected override void Derive(byte[] password, byte[] salt, Argon2idParameters parameters, byte[] output)
    {
        using var argon2 = new Konscious.Security.Cryptography.Argon2id(password)
        {
            Salt = salt,
            MemorySize = parameters.MemoryKiB,
            Iterations = parameters.Iterations,
            DegreeOfParallelism = parameters.Parallelism,
        };
        argon2.GetBytes(output.Length).CopyTo(output, 0);
    }

    internal void DeriveFallback(byte[] password, byte[] salt, Argon2idParameters parameters, byte[] output) =>
        Derive(password, salt, parameters, output);
}
