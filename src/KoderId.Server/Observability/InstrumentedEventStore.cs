using System.Diagnostics;
using KoderId.EventSourcing.Storage;

namespace KoderId.Server.Observability;

/// <summary>Counts appends and traces them; every other call passes straight through to the driver.</summary>
internal sealed class InstrumentedEventStore(IEventStore inner, KoderIdMetrics metrics) : IEventStore
{
    public async Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var activity = KoderIdTelemetry.Source.StartActivity("eventstore.append", ActivityKind.Internal);
        activity?.SetTag("koderid.tenant_id", request.TenantId);
        activity?.SetTag("koderid.event_count", request.Events?.Count ?? 0);
        try
        {
            var result = await inner.AppendAsync(request, ct);
            metrics.EventsAppended(request.Events!.Count);
            activity?.SetTag("koderid.last_position", result.LastPosition);
            return result;
        }
        catch (EventStoreException ex)
        {
            if (ex is WrongExpectedVersionException or UniqueClaimViolationException)
            {
                metrics.AppendConflict(ex.Code);
            }

            activity?.SetStatus(ActivityStatusCode.Error, ex.Code);
            throw;
        }
    }

    public bool SupportsMultiStreamAppend => inner.SupportsMultiStreamAppend;

    public async Task<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<AppendRequest> requests, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        using var activity = KoderIdTelemetry.Source.StartActivity("eventstore.append_many", ActivityKind.Internal);
        activity?.SetTag("koderid.stream_count", requests.Count);
        var results = await inner.AppendManyAsync(requests, ct);
        metrics.EventsAppended(requests.Sum(r => r.Events.Count));
        return results;
    }

    public IAsyncEnumerable<StoredEvent> ReadStreamAsync(
        string tenantId,
        string streamId,
        ReadDirection direction = ReadDirection.Forward,
        long fromVersion = 1,
        int maxCount = int.MaxValue,
        CancellationToken ct = default) =>
        inner.ReadStreamAsync(tenantId, streamId, direction, fromVersion, maxCount, ct);

    public IAsyncEnumerable<StoredEvent> ReadAllAsync(long afterPosition, int maxCount = int.MaxValue, CancellationToken ct = default) =>
        inner.ReadAllAsync(afterPosition, maxCount, ct);

    public Task<long> GetStreamVersionAsync(string tenantId, string streamId, CancellationToken ct = default) =>
        inner.GetStreamVersionAsync(tenantId, streamId, ct);

    public Task<string?> GetClaimOwnerAsync(string tenantId, string scope, string value, CancellationToken ct = default) =>
        inner.GetClaimOwnerAsync(tenantId, scope, value, ct);

    public Task<LogHead> ReadHeadAsync(CancellationToken ct = default) => inner.ReadHeadAsync(ct);

    public Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken ct = default) =>
        inner.WaitForEventsAsync(afterPosition, timeout, ct);
}
