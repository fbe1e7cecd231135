namespace KoderId.Application.Common;

/// <summary>The time of a write. A port so tests and replays control it; decisions never read a clock themselves.</summary>
public interface IClock
{
    DateTimeOffset UtcNow { get; }
}

public sealed class SystemClock : IClock
{
    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;
}
