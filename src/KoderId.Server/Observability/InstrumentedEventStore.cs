using System.Diagnostics;
using KoderId.EventSourcing.Storage;

namespace KoderId.Server.Observability;

/// <summary>Counts appends and traces them; every other call passes straight through to the driver.</summary>
internal sealed class InstrumentedEventStore(IEventStore inner, KoderIdMetrics metrics) : DelegatingEventStore(inner)
{
    public override async Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var activity = KoderIdTelemetry.Source.StartActivity("eventstore.append", ActivityKind.Internal);
        activity?.SetTag("koderid.tenant_id", request.TenantId);
        activity?.SetTag("koderid.event_count", request.Events?.Count ?? 0);
        try
        {
            var result = await Inner.AppendAsync(request, ct);
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

    public override async Task<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<AppendRequest> requests, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        using var activity = KoderIdTelemetry.Source.StartActivity("eventstore.append_many", ActivityKind.Internal);
        activity?.SetTag("koderid.stream_count", requests.Count);
        var results = await Inner.AppendManyAsync(requests, ct);
        metrics.EventsAppended(requests.Sum(r => r.Events.Count));
        return results;
    }
}
