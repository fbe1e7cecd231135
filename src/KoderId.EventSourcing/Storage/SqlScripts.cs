using System.Globalization;
using System.Reflection;
using KoderId.EventSourcing.Projections;

namespace KoderId.EventSourcing.Storage;

/// <summary>
/// A driver's numbered schema scripts (<c>Scripts/N_Name.sql</c>, embedded resources) in their number's order
/// (script 10 after script 9, which an ordinal sort gets wrong), followed by the projection bookkeeping tables.
/// </summary>
public static class SqlScripts
{
    public static IReadOnlyList<string> Load(Assembly driver)
    {
        ArgumentNullException.ThrowIfNull(driver);
        var scripts = new List<string>();
        foreach (var name in driver.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)).OrderBy(Number))
        {
            using var stream = driver.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            scripts.Add(reader.ReadToEnd());
        }

        scripts.Add(ProjectionStateSql.CreateTables);
        return scripts;
    }

    private static int Number(string resourceName)
    {
        // The compiler names Scripts/1_Schema.sql "<Assembly>.Scripts._1_Schema.sql": a leading digit gets an underscore.
        var file = resourceName[(resourceName.LastIndexOf(".Scripts.", StringComparison.Ordinal) + ".Scripts.".Length)..].TrimStart('_');
        var digits = file.IndexOf('_', StringComparison.Ordinal);
        return digits > 0 && int.TryParse(file.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new InvalidOperationException($"Embedded script '{resourceName}' is not named 'N_Name.sql'.");
    }
}
