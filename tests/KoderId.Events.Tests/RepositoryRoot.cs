namespace KoderId.Events.Tests;

internal static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "KoderId.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No KoderId.sln above {AppContext.BaseDirectory}.");
    });

    public static string Path => Root.Value;

    public static string EventSchemas => System.IO.Path.Combine(Path, "eventschemas");
}
