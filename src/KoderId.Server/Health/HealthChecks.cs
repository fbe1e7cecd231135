using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KoderId.Server.Health;

/// <summary>Ready when the event store answers: a read of the log head.</summary>
internal sealed class EventStoreHealthCheck(IEventStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var head = await store.ReadHeadAsync(cancellationToken);
        return HealthCheckResult.Healthy(
            "The event store answered.",
            new Dictionary<string, object> { ["headPosition"] = head.Position });
    }
}

/// <summary>Ready when every inline projection is built at its current version and has seen the head of the log.</summary>
internal sealed class InlineProjectionsHealthCheck(ProjectionManager projections) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await projections.InlineProjectionsCurrentAsync(cancellationToken)
            ? HealthCheckResult.Healthy("Every inline projection is current.")
            : HealthCheckResult.Unhealthy("An inline projection is not built at its current version or is behind the log.");
}
