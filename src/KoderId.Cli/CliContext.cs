using KoderId.EventSourcing.Projections;

namespace KoderId.Cli;

/// <summary>
/// What the CLI runs against: where it writes and what it reads from its surroundings. The defaults are the
/// real process; tests swap in captured writers, a fixed environment and their own projections.
/// </summary>
public sealed class CliContext(TextWriter stdout, TextWriter stderr)
{
    public TextWriter Stdout { get; } = stdout ?? throw new ArgumentNullException(nameof(stdout));

    public TextWriter Stderr { get; } = stderr ?? throw new ArgumentNullException(nameof(stderr));

    /// <summary>The projections to list and rebuild; null means <c>ProjectionCatalog.All()</c>.</summary>
    public IReadOnlyList<IProjection>? Projections { get; init; }

    /// <summary>Reads an environment variable (for the storage defaults).</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;
}
