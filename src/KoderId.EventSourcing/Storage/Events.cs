namespace KoderId.EventSourcing.Storage;

/// <summary>An event ready to be written: its wire type, its JSON data (personal fields already encrypted) and metadata.</summary>
/// <param name="Payload">The clear, typed event when the writer has it; handed to inline projections so they never decrypt.</param>
public sealed record UncommittedEvent(string EventType, string Data, EventMetadata Metadata, object? Payload = null);

/// <summary>An event as the log holds it.</summary>
public sealed record StoredEvent(
    long Position,
    string StreamId,
    long StreamVersion,
    string TenantId,
    string EventType,
    string Data,
    EventMetadata Metadata,
    byte[] Hash);

/// <summary>A value that must be unique within a tenant and scope (<c>username</c>, <c>email</c>, ...), claimed or released atomically with an append.</summary>
public sealed record UniqueClaim(string Scope, string Value, UniqueClaimOperation Operation)
{
    public static UniqueClaim Claim(string scope, string value) => new(scope, value, UniqueClaimOperation.Claim);
    public static UniqueClaim Release(string scope, string value) => new(scope, value, UniqueClaimOperation.Release);
}

public enum UniqueClaimOperation
{
    Claim,
    Release,
}

public sealed record AppendRequest(
    string TenantId,
    string StreamId,
    ExpectedVersion ExpectedVersion,
    IReadOnlyList<UncommittedEvent> Events)
{
    public IReadOnlyList<UniqueClaim> Claims { get; init; } = [];
}

/// <param name="FirstPosition">Global position of the first appended event.</param>
/// <param name="LastPosition">Global position of the last appended event.</param>
/// <param name="StreamVersion">The stream's version after the append (the next expected version).</param>
public sealed record AppendResult(long FirstPosition, long LastPosition, long StreamVersion);

public enum ReadDirection
{
    Forward,
    Backward,
}

/// <summary>The last link of the hash chain, kept apart from the rows so deleting the newest events is detected.</summary>
public sealed record LogHead(long Position, byte[] Hash)
{
    public static readonly LogHead Empty = new(0, HashChain.Genesis);
}
