namespace KoderId.EventSourcing.Storage;

/// <summary>The optimistic-concurrency condition of an append. Stream versions start at 1.</summary>
public readonly record struct ExpectedVersion
{
    private ExpectedVersion(ExpectedVersionKind kind, long value)
    {
        Kind = kind;
        Value = value;
    }

    public ExpectedVersionKind Kind { get; }

    /// <summary>The version the stream must be at when <see cref="Kind"/> is <see cref="ExpectedVersionKind.Exact"/>.</summary>
    public long Value { get; }

    public static ExpectedVersion Any => new(ExpectedVersionKind.Any, -1);
    public static ExpectedVersion NoStream => new(ExpectedVersionKind.NoStream, 0);

    public static ExpectedVersion Exact(long version) =>
        version < 1
            ? throw new ArgumentOutOfRangeException(nameof(version), "An exact expected version is 1 or more; use NoStream for a new stream.")
            : new(ExpectedVersionKind.Exact, version);

    /// <summary>Version 0 means "the stream must not exist yet".</summary>
    public static ExpectedVersion At(long version) => version == 0 ? NoStream : Exact(version);

    public bool IsSatisfiedBy(long currentVersion) => Kind switch
    {
        ExpectedVersionKind.Any => true,
        ExpectedVersionKind.NoStream => currentVersion == 0,
        _ => currentVersion == Value,
    };

    public override string ToString() => Kind switch
    {
        ExpectedVersionKind.Any => "any",
        ExpectedVersionKind.NoStream => "no-stream",
        _ => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

public enum ExpectedVersionKind
{
    Any,
    NoStream,
    Exact,
}
