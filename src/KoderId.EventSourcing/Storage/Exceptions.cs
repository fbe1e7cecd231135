namespace KoderId.EventSourcing.Storage;

/// <summary>Base of every error the store raises on purpose. <see cref="Code"/> is the stable KID3xxx code of docs/errors.md.</summary>
public abstract class EventStoreException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}

/// <summary>The stream was not at the expected version: another writer got there first. Reload and retry, or report a conflict.</summary>
public sealed class WrongExpectedVersionException(string streamId, ExpectedVersion expected, long actual)
    : EventStoreException("KID3001", $"Stream '{streamId}' is at version {actual}, expected {expected}.")
{
    public string StreamId { get; } = streamId;
    public ExpectedVersion Expected { get; } = expected;
    public long ActualVersion { get; } = actual;
}

/// <summary>A unique value is already held by another stream. The value itself is not in the message: it may be personal data.</summary>
public sealed class UniqueClaimViolationException(string tenantId, string scope, string value, string ownerStreamId)
    : EventStoreException("KID3002", $"A '{scope}' claim in tenant '{tenantId}' is already held by another stream.")
{
    public string TenantId { get; } = tenantId;
    public string Scope { get; } = scope;
    public string Value { get; } = value;
    public string OwnerStreamId { get; } = ownerStreamId;
}

/// <summary>The stream belongs to another tenant than the one the caller named.</summary>
public sealed class WrongTenantException(string streamId, string tenantId)
    : EventStoreException("KID3003", $"Stream '{streamId}' does not belong to tenant '{tenantId}'.")
{
    public string StreamId { get; } = streamId;
    public string TenantId { get; } = tenantId;
}

/// <summary>Input the store refuses before touching storage: empty ids, oversized payloads, invalid JSON.</summary>
public sealed class InvalidAppendException(string message) : EventStoreException("KID3004", message);

/// <summary>An event carries a wire type this build has no record (or upcaster) for.</summary>
public sealed class UnknownEventTypeException(string eventType)
    : EventStoreException("KID3005", $"Unknown event type '{eventType}': no registered type or upcaster.")
{
    public string EventType { get; } = eventType;
}

/// <summary>The store could not be reached or answered with an error that is not the caller's fault.</summary>
public sealed class EventStoreUnavailableException(string message, Exception? inner = null)
    : EventStoreException("KID3006", message, inner);
