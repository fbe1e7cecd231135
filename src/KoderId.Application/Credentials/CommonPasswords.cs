using System.Collections.Frozen;
using System.Reflection;

namespace KoderId.Application.Credentials;

/// <summary>
/// The 10,000 most common passwords (<c>common-passwords.txt</c>, provenance in
/// <c>common-passwords.README.md</c>), lower-cased, loaded once on first use.
/// </summary>
public static class CommonPasswords
{
    private const string ResourceName = "KoderId.Application.Credentials.common-passwords.txt";

    private static readonly Lazy<FrozenSet<string>> Set = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    public static int Count => Set.Value.Count;

    /// <summary>True when <paramref name="password"/>, ignoring case, is on the list.</summary>
    public static bool Contains(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        return Set.Value.Contains(password.ToLowerInvariant());
    }

    private static FrozenSet<string> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the build.");
        using var reader = new StreamReader(stream);
        var entries = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                entries.Add(line.ToLowerInvariant());
            }
        }

        return entries.ToFrozenSet(StringComparer.Ordinal);
    }
}
