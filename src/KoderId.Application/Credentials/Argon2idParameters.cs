namespace KoderId.Application.Credentials;

/// <summary>
/// Argon2id cost parameters: memory in KiB, iterations (passes) and parallelism (lanes).
/// </summary>
/// <remarks>
/// The upper bounds are ours, not Argon2's: a stored or imported hash asking for more than 1 GiB or 64 passes
/// would let one login tie up the machine, so it is refused as out of range instead of computed.
/// </remarks>
public sealed record Argon2idParameters
{
    public const int MaxMemoryKiB = 1024 * 1024;
    public const int MaxIterations = 64;
    public const int MaxParallelism = 64;

    public Argon2idParameters(int memoryKiB, int iterations, int parallelism)
    {
        if (!AreInRange(memoryKiB, iterations, parallelism))
        {
            throw new ArgumentOutOfRangeException(nameof(memoryKiB),
                $"Argon2id needs 1 <= parallelism <= {MaxParallelism}, 1 <= iterations <= {MaxIterations} and 8 * parallelism <= memory KiB <= {MaxMemoryKiB}.");
        }

        MemoryKiB = memoryKiB;
        Iterations = iterations;
        Parallelism = parallelism;
    }

    public int MemoryKiB { get; }

    public int Iterations { get; }

    public int Parallelism { get; }

    // Argon2 needs at least 8 KiB (two blocks per slice, four slices) per lane.
    internal static bool AreInRange(long memoryKiB, long iterations, long parallelism) =>
        parallelism is >= 1 and <= MaxParallelism
        && iterations is >= 1 and <= MaxIterations
        && memoryKiB >= 8 * parallelism && memoryKiB <= MaxMemoryKiB;
}
