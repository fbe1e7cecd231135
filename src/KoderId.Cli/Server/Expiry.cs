using System.Globalization;

namespace KoderId.Cli.Server;

/// <summary><c>--expires</c>: an ISO 8601 instant, or a duration from now such as <c>90d</c>, <c>12h</c> or <c>30m</c>.</summary>
internal static class Expiry
{
    public static DateTimeOffset? Parse(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Trim();
        if (text.Length >= 2 && char.IsAsciiLetter(text[^1])
            && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) && amount > 0)
        {
            TimeSpan? span = char.ToLowerInvariant(text[^1]) switch
            {
                'd' => TimeSpan.FromDays(amount),
                'h' => TimeSpan.FromHours(amount),
                'm' => TimeSpan.FromMinutes(amount),
                _ => null,
            };
            if (span is { } duration)
            {
                return now + duration;
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            ? instant
            : throw new CliException(CliErrors.BadOption, $"--expires '{Output.Terminal.Clean(text)}' is neither an instant (2027-01-31T00:00:00Z) nor a duration (90d, 12h, 30m).");
    }
}
