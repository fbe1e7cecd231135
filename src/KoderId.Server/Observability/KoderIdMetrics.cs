using System.Data.Common;
using KoderId.EventSourcing.Storage;
using KoderId.Server.Storage;
using Prometheus;

namespace KoderId.Server.Observability;

/// <summary>
/// The host's own Prometheus metrics, in the host's registry (not the process-wide default, so two hosts in one
/// process, as in tests, never share state). The log head is read on every scrape.
/// </summary>
public sealed partial class KoderIdMetrics
{
    private readonly StorageBackend _storage;
    private readonly ILogger<KoderIdMetrics> _logger;
    private readonly Gauge _headPosition;
    private readonly Gauge _storeUp;
    private readonly Counter _eventsAppended;
    private readonly Counter _appendConflicts;

    public KoderIdMetrics(CollectorRegistry registry, StorageBackend storage, ILogger<KoderIdMetrics> logger)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _storage = storage;
        _logger = logger;
        var factory = Metrics.WithCustomRegistry(registry);
        _headPosition = factory.CreateGauge("koderid_log_head_position", "Global position of the newest event in the log.");
        _storeUp = factory.CreateGauge("koderid_event_store_up", "1 when the event store answered the last scrape, 0 when it did not.");
        _eventsAppended = factory.CreateCounter("koderid_events_appended_total", "Events appended to the log by this process.");
        _appendConflicts = factory.CreateCounter(
            "koderid_append_conflicts_total",
            "Appends refused because of a stale expected version or a taken unique claim.",
            new CounterConfiguration { LabelNames = ["code"] });
        registry.AddBeforeCollectCallback(ScrapeAsync);
    }

    public void EventsAppended(int count) => _eventsAppended.Inc(count);

    public void AppendConflict(string code) => _appendConflicts.WithLabels(code).Inc();

    private async Task ScrapeAsync(CancellationToken ct)
    {
        try
        {
            var head = await _storage.Store.ReadHeadAsync(ct);
            _headPosition.Set(head.Position);
            _storeUp.Set(1);
        }
        catch (Exception ex) when (ex is EventStoreException or DbException or InvalidOperationException or TimeoutException)
        {
            // A scrape must still answer when the store does not: that is what koderid_event_store_up is for.
            _storeUp.Set(0);
            LogHeadUnavailable(ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics scrape could not read the log head ({ErrorType})")]
    private partial void LogHeadUnavailable(string errorType);
}
