namespace KoderId.EventSourcing.Storage;

/// <summary>
/// The append-only, tenant-scoped event log. Every driver (in-memory, SQLite, PostgreSQL) is held to the
/// conformance suite in tests/KoderId.EventSourcing.Conformance.
/// </summary>
public interface IEventStore
{
    /// <summary>
    /// Appends events to one stream if its version satisfies the expected version; atomically with the
    /// unique claims and every inline projection. Throws <see cref="WrongExpectedVersionException"/>,
    /// <see cref="UniqueClaimViolationException"/>, <see cref="WrongTenantException"/> or
    /// <see cref="InvalidAppendException"/> and then has changed nothing.
    /// </summary>
    Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default);

    /// <summary>Whether <see cref="AppendManyAsync"/> is available on this driver (the conformance suite skips its tests otherwise).</summary>
    bool SupportsMultiStreamAppend => false;

    /// <summary>
    /// Appends to several streams in one transaction: every request's version check, events, unique claims and
    /// inline projections, in order, or nothing at all (the first refusal is thrown as for <see cref="AppendAsync"/>).
    /// For bulk writes such as an import (ADR 0007). Throws <see cref="NotSupportedException"/> where
    /// <see cref="SupportsMultiStreamAppend"/> is false.
    /// </summary>
    Task<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<AppendRequest> requests, CancellationToken ct = default) =>
        throw new NotSupportedException("This event store cannot append to several streams atomically.");

    /// <summary>Reads a stream. Forward starts at <paramref name="fromVersion"/> (inclusive, 1 = start); backward starts at it and goes down (<c>long.MaxValue</c> = end).</summary>
    IAsyncEnumerable<StoredEvent> ReadStreamAsync(
        string tenantId,
        string streamId,
        ReadDirection direction = ReadDirection.Forward,
        long fromVersion = 1,
        int maxCount = int.MaxValue,
        CancellationToken ct = default);

    /// <summary>Reads the whole log in position order, starting after <paramref name="afterPosition"/> (0 = from the beginning).</summary>
    IAsyncEnumerable<StoredEvent> ReadAllAsync(long afterPosition, int maxCount = int.MaxValue, CancellationToken ct = default);

    /// <summary>The stream's current version, 0 when it does not exist. Throws <see cref="WrongTenantException"/> for another tenant's stream.</summary>
    Task<long> GetStreamVersionAsync(string tenantId, string streamId, CancellationToken ct = default);

    /// <summary>Which stream holds a unique value, or null.</summary>
    Task<string?> GetClaimOwnerAsync(string tenantId, string scope, string value, CancellationToken ct = default);

    /// <summary>The newest position and its hash (position 0 for an empty log).</summary>
    Task<LogHead> ReadHeadAsync(CancellationToken ct = default);

    /// <summary>
    /// Completes when the log may hold events after <paramref name="afterPosition"/>, or when the timeout passes.
    /// Drivers wake in-process waiters at once and poll for other nodes' writes.
    /// </summary>
    Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken ct = default);
}

/// <summary>Limits every driver applies before it touches storage.</summary>
public static class EventStoreLimits
{
    public const int MaxStreamIdLength = 200;
    public const int MaxTenantIdLength = 64;
    public const int MaxEventTypeLength = 100;
    public const int MaxEventDataBytes = 1024 * 1024;
    public const int MaxEventsPerAppend = 10_000;
    public const int MaxClaimLength = 512;
    public const int MaxMetadataFieldLength = 1024;

    /// <summary>Rejects bad input with <see cref="InvalidAppendException"/>; shared so every driver refuses exactly the same things.</summary>
    public static void Validate(AppendRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateIds(request.TenantId, request.StreamId);
        if (request.Events is null || request.Events.Count == 0)
        {
            throw new InvalidAppendException("An append needs at least one event.");
        }

        if (request.Events.Count > MaxEventsPerAppend)
        {
            throw new InvalidAppendException($"An append holds at most {MaxEventsPerAppend} events.");
        }

        foreach (var e in request.Events)
        {
            if (e is null)
            {
                throw new InvalidAppendException("An event is null.");
            }

            if (string.IsNullOrWhiteSpace(e.EventType) || e.EventType.Length > MaxEventTypeLength || HasControl(e.EventType))
            {
                throw new InvalidAppendException($"An event type must be 1 to {MaxEventTypeLength} printable characters.");
            }

            if (e.Data is null || System.Text.Encoding.UTF8.GetByteCount(e.Data) > MaxEventDataBytes || HasNul(e.Data))
            {
                throw new InvalidAppendException($"Event data of '{e.EventType}' is missing, larger than {MaxEventDataBytes} bytes or holds a NUL character.");
            }

            if (!IsJsonObject(e.Data))
            {
                throw new InvalidAppendException($"Event data of '{e.EventType}' is not a JSON object.");
            }

            var m = e.Metadata ?? throw new InvalidAppendException("Event metadata is missing.");
            if (m.EventId == Guid.Empty)
            {
                throw new InvalidAppendException("An event id must not be empty.");
            }

            foreach (var field in (string?[])[m.Actor, m.ClientIp, m.UserAgent, m.CorrelationId, m.CausationId])
            {
                if (field is { Length: > MaxMetadataFieldLength } || HasNul(field))
                {
                    throw new InvalidAppendException($"Event metadata fields hold at most {MaxMetadataFieldLength} characters and no NUL.");
                }
            }
        }

        foreach (var claim in request.Claims ?? [])
        {
            if (claim is null || string.IsNullOrEmpty(claim.Scope) || string.IsNullOrEmpty(claim.Value) ||
                claim.Scope.Length > 64 || claim.Value.Length > MaxClaimLength || HasNul(claim.Scope) || HasNul(claim.Value))
            {
                throw new InvalidAppendException($"A unique claim needs a scope (1-64 characters) and a value (1-{MaxClaimLength} characters).");
            }
        }
    }

    public static void ValidateIds(string tenantId, string streamId)
    {
        if (string.IsNullOrWhiteSpace(tenantId) || tenantId.Length > MaxTenantIdLength || HasControl(tenantId))
        {
            throw new InvalidAppendException($"A tenant id must be 1 to {MaxTenantIdLength} printable characters.");
        }

        if (string.IsNullOrWhiteSpace(streamId) || streamId.Length > MaxStreamIdLength || HasControl(streamId))
        {
            throw new InvalidAppendException($"A stream id must be 1 to {MaxStreamIdLength} printable characters.");
        }
    }

    /// <summary>PostgreSQL text cannot hold U+0000, so no driver stores it: every driver refuses the same input.</summary>
    private static bool HasNul(string? value) => value is not null && value.Contains('\0', StringComparison.Ordinal);

    private static bool HasControl(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsJsonObject(string data)
    {
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(data));
            if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }
}
