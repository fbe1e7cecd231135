namespace KoderId.Projections.Sessions;

/// <summary>
/// "Browser on OS" from a User-Agent header, for a person recognising their own sessions in a list. A
/// heuristic on well-known tokens, not a parser: anything unrecognised is "Unknown browser" / "unknown OS".
/// </summary>
public static class UserAgentSummary
{
    // Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
    private static readonly (string Token, string Name)[] Browsers =
    [
        ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("CriOS/", "Chrome"),
        ("FxiOS/", "Firefox"), ("Safari/", "Safari"), ("curl/", "curl"),
    ];

    private static readonly (string Token, string Name)[] Systems =
    [
        ("Windows", "Windows"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Android", "Android"), ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"), ("Linux", "Linux"),
    ];

    public static string? Describe(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return null;
        }

        var browser = Browsers.FirstOrDefault(b => userAgent.Contains(b.Token, StringComparison.Ordinal)).Name ?? "Unknown browser";
        var system = Systems.FirstOrDefault(s => userAgent.Contains(s.Token, StringComparison.Ordinal)).Name;
        return system is null ? browser : $"{browser} on {system}";
    }
}
