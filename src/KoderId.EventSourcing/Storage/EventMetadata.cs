namespace KoderId.EventSourcing.Storage;

/// <summary>Who did what, when and from where: carried by every stored event and covered by the hash chain.</summary>
public sealed record EventMetadata
{
    public Guid EventId { get; init; } = Guid.NewGuid();

    /// <summary>UTC time of the write, kept at microsecond precision so every driver stores the same value.</summary>
    public DateTimeOffset Timestamp { get; init; } = TimeStamps.Truncate(DateTimeOffset.UtcNow);

    public string? Actor { get; init; }
    public string? ClientIp { get; init; }
    public string? UserAgent { get; init; }
    public string? CorrelationId { get; init; }
    public string? CausationId { get; init; }

    public static EventMetadata New(string? actor = null) => new() { Actor = actor };
}

public static class TimeStamps
{
    public static DateTimeOffset Truncate(DateTimeOffset value) =>
        FromUnixMicroseconds(ToUnixMicroseconds(value));

    public static long ToUnixMicroseconds(DateTimeOffset value) =>
        (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromUnixMicroseconds(long micros) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + micros * 10, TimeSpan.Zero);
}
