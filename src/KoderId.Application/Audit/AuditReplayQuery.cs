using System.Globalization;

namespace KoderId.Application.Audit;

/// <summary>
/// What to replay from the log. Every filter is optional and they all hold together. <see cref="From"/> is inclusive,
/// <see cref="To"/> exclusive (the audit search's convention); a null <see cref="TenantId"/> is every tenant (the CLI's
/// whole-log export only: the REST API always scopes to the request's tenant).
/// </summary>
public sealed record AuditReplayQuery
{
    public string? TenantId { get; init; }

    /// <summary>A user, client or session id: matches the id part of the stream name and the event's <c>userId</c>, <c>clientId</c> and <c>sessionId</c>.</summary>
    public string? Subject { get; init; }

    /// <summary>The metadata actor exactly (e.g. <c>api-key:k1</c>, <c>system-admin</c>).</summary>
    public string? Actor { get; init; }

    /// <summary>Wire names: exact (<c>user.created.v1</c>), without the version (<c>user.created</c>), or a prefix ending in <c>.</c> or <c>*</c> (<c>user.</c>).</summary>
    public IReadOnlyList<string> EventTypes { get; init; } = [];

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public bool MatchesType(string eventType)
    {
        if (EventTypes.Count == 0)
        {
            return true;
        }

        foreach (var filter in EventTypes)
        {
            if (string.Equals(filter, eventType, StringComparison.Ordinal))
            {
                return true;
            }

            if (filter.EndsWith('*') && eventType.StartsWith(filter[..^1], StringComparison.Ordinal))
            {
                return true;
            }

            if (filter.EndsWith('.') && eventType.StartsWith(filter, StringComparison.Ordinal))
            {
                return true;
            }

            // "user.created" names every version of it.
            if (eventType.Length > filter.Length + 2 && eventType.StartsWith(filter, StringComparison.Ordinal) &&
                eventType.AsSpan(filter.Length).StartsWith(".v", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public bool MatchesTime(DateTimeOffset at) => (From is not { } from || at >= from) && (To is not { } to || at < to);
}

/// <summary>An input of a replay, as-of or verify request that cannot be used; the hosts map it to KID2280+ (REST) or KID4100+ (CLI).</summary>
public sealed class AuditInputException(AuditInputError error, string message) : Exception(message)
{
    public AuditInputError Error { get; } = error;
}

public enum AuditInputError
{
    BadTime,
    EmptyRange,
    UnknownFormat,
    BadEventType,
    BadSubject,
    MissingParameter,
}

/// <summary>Parsing shared by the REST API and the CLI, so both accept and refuse exactly the same inputs.</summary>
public static class AuditInputs
{
    public const int MaxFilterLength = 200;
    public const int MaxEventTypes = 20;

    /// <summary>An RFC 3339 date-time (<c>2026-01-31T10:00:00Z</c>, with an offset or fractional seconds) or a date (<c>2026-01-31</c>, midnight UTC).</summary>
    public static DateTimeOffset ParseInstant(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value);
        string[] formats =
        [
            "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd",
        ];
        var text = value.Trim();
        if (text.Length is > 0 and <= 40 &&
            DateTimeOffset.TryParseExact(text.Replace('t', 'T').Replace('z', 'Z'), formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) &&
            (text.Length == 10 || text.EndsWith('Z') || text.EndsWith('z') || HasOffset(text)))
        {
            return instant.ToUniversalTime();
        }

        throw new AuditInputException(AuditInputError.BadTime, $"{name} is not an RFC 3339 instant (e.g. 2026-01-31T10:00:00Z).");
    }

    public static void CheckRange(DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is { } f && to is { } t && f > t)
        {
            throw new AuditInputException(AuditInputError.EmptyRange, "from is after to.");
        }
    }

    public static IReadOnlyList<string> ParseEventTypes(IEnumerable<string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var types = values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal).ToArray();
        if (types.Length > MaxEventTypes)
        {
            throw new AuditInputException(AuditInputError.BadEventType, $"At most {MaxEventTypes} event types.");
        }

        foreach (var type in types)
        {
            if (type.Length > 100 || type.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '*')) ||
                (type.Contains('*', StringComparison.Ordinal) && (type.IndexOf('*', StringComparison.Ordinal) != type.Length - 1)))
            {
                throw new AuditInputException(AuditInputError.BadEventType, "An event type is a wire name (user.created.v1), a name without version (user.created) or a prefix (user. or user.*).");
            }
        }

        return types;
    }

    public static string? ParseFilter(string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (value.Length > MaxFilterLength || value.Any(char.IsControl))
        {
            throw new AuditInputException(AuditInputError.BadSubject, $"{name} is 1 to {MaxFilterLength} printable characters.");
        }

        return value;
    }

    private static bool HasOffset(string text)
    {
        // After the time part: +hh:mm or -hh:mm.
        var t = text.IndexOfAny(['T', 't', ' ']);
        return t > 0 && text.AsSpan(t).IndexOfAny('+', '-') > 0;
    }
}
