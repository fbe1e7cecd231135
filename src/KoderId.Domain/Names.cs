using System.Text;
using System.Text.RegularExpressions;

namespace KoderId.Domain;

/// <summary>The display names of groups and roles, and the ids callers may choose for them.</summary>
public static partial class Names
{
    public const int MaxLength = 100;

    /// <summary>NFKC and trimmed; null when empty, too long or holding control or format characters.</summary>
    public static string? Normalize(string? name)
    {
        var normalized = (name ?? "").Normalize(NormalizationForm.FormKC).Trim();
        return normalized.Length is 0 or > MaxLength || normalized.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
            ? null
            : normalized;
    }

    /// <summary>The case-insensitive uniqueness key of a (normalized) name.</summary>
    public static string Key(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
    }

    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
