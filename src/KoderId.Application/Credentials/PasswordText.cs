using System.Text;

namespace KoderId.Application.Credentials;

/// <summary>The normalised form of a password that the policy rules look at.</summary>
internal static class PasswordText
{
    /// <summary>
    /// Whether this runtime can normalise at all: with invariant globalization (the host's setting)
    /// <see cref="string.Normalize(NormalizationForm)"/> returns non-ASCII text unchanged. Then the rules run
    /// on the text as typed, which only differs for compatibility characters (ligatures, full-width forms).
    /// </summary>
    public static bool CanNormalize { get; } = "\uFB01".Normalize(NormalizationForm.FormKC) == "fi";

    public static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>NFKC (800-63B §5.1.1.2) where the runtime has it. The text must be well-formed.</summary>
    public static string Normalize(string text) =>
        CanNormalize && !text.IsNormalized(NormalizationForm.FormKC) ? text.Normalize(NormalizationForm.FormKC) : text;

    /// <summary>Code points, so an emoji or a CJK extension character counts once, not as two UTF-16 units.</summary>
    public static int CodePoints(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }
}
