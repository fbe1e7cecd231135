using KoderId.Domain;
using KoderId.Domain.Tenants;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;

namespace KoderId.Application.Common;

/// <summary>A stream folded to its state, at the version it was read.</summary>
public sealed record Loaded<TState>(TState State, long Version);

/// <summary>The outcome of a decision: the state and version after it, and the events appended (none when nothing changed).</summary>
public sealed record Decided<TState>(TState State, long Version, IReadOnlyList<object> Events)
{
    public bool Changed => Events.Count > 0;
}

/// <summary>
/// Loads an aggregate from its stream and appends what a decision returns: with optimistic concurrency
/// (<see cref="ExpectedVersion.At"/>), the unique claims that follow from the state change, and metadata
/// from the <see cref="RequestContext"/>, all in one atomic append.
/// </summary>
public sealed class AggregateStore(IEventStore store, EventSerializer serializer, RequestContext context, IClock clock)
{
    public async Task<Loaded<TState>> LoadAsync<TState>(AggregateType<TState> type, string tenantId, string streamId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(type);
        var state = type.Initial;
        long version = 0;
        try
        {
            await foreach (var stored in store.ReadStreamAsync(tenantId, streamId, ct: ct).ConfigureAwait(false))
            {
                var decoded = await serializer.DeserializeAsync(stored, ct).ConfigureAwait(false);
                state = type.Evolve(state, decoded.Event);
                version = stored.StreamVersion;
            }
        }
        catch (WrongTenantException)
        {
            throw NotFound(type);
        }

        return new Loaded<TState>(state, version);
    }

    /// <summary>
    /// Load, decide, append. A concurrent writer (<see cref="WrongExpectedVersionException"/>) gets one
    /// reload and a fresh decision; a second conflict is the caller's (KID3001, a 409).
    /// </summary>
    public async Task<Decided<TState>> DecideAsync<TState>(
        AggregateType<TState> type,
        string tenantId,
        string streamId,
        Func<TState, IReadOnlyList<object>> decide,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(decide);
        for (var attempt = 0; ; attempt++)
        {
            var loaded = await LoadAsync(type, tenantId, streamId, ct).ConfigureAwait(false);
            var events = decide(loaded.State);
            if (events.Count == 0)
            {
                return new Decided<TState>(loaded.State, loaded.Version, []);
            }

            try
            {
                var after = events.Aggregate(loaded.State, type.Evolve);
                var result = await AppendAsync(type, tenantId, streamId, loaded, after, events, ct).ConfigureAwait(false);
                return new Decided<TState>(after, result.StreamVersion, events);
            }
            catch (WrongExpectedVersionException) when (attempt == 0)
            {
                // Someone appended between our read and our write: decide again on what is there now.
            }
        }
    }

    /// <summary>
    /// Load, decide, append at the version read, without the reload <see cref="DecideAsync{TState}"/> does:
    /// null when another writer appended in between. For the grants of ADR 0004, where the loser of a race
    /// must not decide again on the winner's state (a rotated-out refresh token is a replay only when it was
    /// presented after the rotation committed).
    /// </summary>
    public async Task<Decided<TState>?> TryDecideOnceAsync<TState>(
        AggregateType<TState> type,
        string tenantId,
        string streamId,
        Func<TState, IReadOnlyList<object>> decide,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(decide);
        var loaded = await LoadAsync(type, tenantId, streamId, ct).ConfigureAwait(false);
        var events = decide(loaded.State);
        if (events.Count == 0)
        {
            return new Decided<TState>(loaded.State, loaded.Version, []);
        }

        try
        {
            var after = events.Aggregate(loaded.State, type.Evolve);
            var result = await AppendAsync(type, tenantId, streamId, loaded, after, events, ct).ConfigureAwait(false);
            return new Decided<TState>(after, result.StreamVersion, events);
        }
        catch (WrongExpectedVersionException)
        {
            return null;
        }
    }

    /// <summary>Whether <see cref="AppendNewStreamsAsync{TState}"/> can run on this store.</summary>
    public bool SupportsBulkAppend => store.SupportsMultiStreamAppend;

    /// <summary>
    /// Many new aggregates in one atomic append (ADR 0007, bulk import): each stream's events were decided on the
    /// type's initial state, and <see cref="ExpectedVersion.NoStream"/> makes the store refuse the whole batch
    /// (<see cref="WrongExpectedVersionException"/>, or <see cref="UniqueClaimViolationException"/> for a taken
    /// value) when any of them exists already. Each stream's events carry its own causation id.
    /// </summary>
    public async Task<IReadOnlyList<AppendResult>> AppendNewStreamsAsync<TState>(
        AggregateType<TState> type,
        string tenantId,
        IReadOnlyList<(string StreamId, IReadOnlyList<object> Events, string? CausationId)> streams,
        IReadOnlyCollection<string> dataSubjects,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(streams);
        var keys = await serializer.PrepareKeysAsync(tenantId, dataSubjects, ct).ConfigureAwait(false);
        var timestamp = TimeStamps.Truncate(clock.UtcNow);
        var requests = new List<AppendRequest>(streams.Count);
        var before = type.Keys(type.Initial);
        foreach (var (streamId, events, causation) in streams)
        {
            var metadata = new EventMetadata
            {
                Timestamp = timestamp,
                Actor = context.Actor,
                ClientIp = context.ClientIp,
                UserAgent = context.UserAgent,
                CorrelationId = context.CorrelationId,
                CausationId = causation ?? context.CausationId,
            };
            var uncommitted = new List<UncommittedEvent>(events.Count);
            foreach (var e in events)
            {
                uncommitted.Add(await serializer.SerializeAsync(tenantId, e, metadata with { EventId = Guid.NewGuid() }, keys, ct).ConfigureAwait(false));
            }

            var now = type.Keys(events.Aggregate(type.Initial, type.Evolve));
            var claims = now.Except(before).Select(k => UniqueClaim.Claim(k.Scope, k.Value)).ToArray();
            requests.Add(new AppendRequest(tenantId, streamId, ExpectedVersion.NoStream, uncommitted) { Claims = claims });
        }

        return await store.AppendManyAsync(requests, ct).ConfigureAwait(false);
    }

    /// <summary>User writes need a tenant that exists and is neither blocked (KID1003) nor deleted (KID1004), read from its own stream.</summary>
    public async Task<TenantState> RequireActiveTenantAsync(string tenantId, CancellationToken ct = default)
    {
        var tenant = await LoadTenantAsync(tenantId, ct).ConfigureAwait(false);
        Tenant.EnsureAcceptsUserWrites(tenant);
        return tenant;
    }

    /// <summary>The tenant's state; KID1002 when it does not exist or the id is not a tenant id.</summary>
    public async Task<TenantState> LoadTenantAsync(string tenantId, CancellationToken ct = default)
    {
        if (!Tenant.IsValidId(tenantId))
        {
            throw NotFound(Aggregates.Tenant);
        }

        var tenant = (await LoadAsync(Aggregates.Tenant, tenantId, StreamNames.Tenant(tenantId), ct).ConfigureAwait(false)).State;
        return tenant.Exists ? tenant : throw NotFound(Aggregates.Tenant);
    }

    private async Task<AppendResult> AppendAsync<TState>(
        AggregateType<TState> type,
        string tenantId,
        string streamId,
        Loaded<TState> loaded,
        TState after,
        IReadOnlyList<object> events,
        CancellationToken ct)
    {
        var metadata = new EventMetadata
        {
            Timestamp = TimeStamps.Truncate(clock.UtcNow),
            Actor = context.Actor,
            ClientIp = context.ClientIp,
            UserAgent = context.UserAgent,
            CorrelationId = context.CorrelationId,
            CausationId = context.CausationId,
        };

        var uncommitted = new List<UncommittedEvent>(events.Count);
        foreach (var e in events)
        {
            uncommitted.Add(await serializer.SerializeAsync(tenantId, e, metadata with { EventId = Guid.NewGuid() }, ct).ConfigureAwait(false));
        }

        var before = type.Keys(loaded.State);
        var now = type.Keys(after);
        var claims = now.Except(before).Select(k => UniqueClaim.Claim(k.Scope, k.Value))
            .Concat(before.Except(now).Select(k => UniqueClaim.Release(k.Scope, k.Value)))
            .ToArray();

        try
        {
            return await store.AppendAsync(
                new AppendRequest(tenantId, streamId, ExpectedVersion.At(loaded.Version), uncommitted) { Claims = claims },
                ct).ConfigureAwait(false);
        }
        catch (WrongTenantException)
        {
            throw NotFound(type);
        }
        catch (UniqueClaimViolationException ex) when (type.ClaimErrors.ContainsKey(ex.Scope))
        {
            throw new DomainException(type.ClaimErrors[ex.Scope], $"The {ex.Scope} is already taken in this tenant.");
        }
    }

    private static DomainException NotFound<TState>(AggregateType<TState> type) =>
        new(type.NotFoundCode, $"The {type.Name} does not exist.");
}
