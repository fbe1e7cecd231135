using KoderId.EventSourcing.Projections;
using KoderId.Server.Observability;

namespace KoderId.Server.Storage;

/// <summary>
/// Opens the store (creating the file or schema on first start) and builds every missing or re-versioned
/// projection before the server takes traffic, so a ready node never answers from a stale read model.
/// </summary>
internal sealed partial class StorageStartup(StorageBackend backend, ProjectionManager projections, ILogger<StorageStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var activity = KoderIdTelemetry.Source.StartActivity("storage.start");
        activity?.SetTag("koderid.storage.provider", backend.Provider);
        LogOpening(backend.Provider, backend.DataSource);

        try
        {
            await backend.InitializeAsync(cancellationToken);
            await projections.EnsureAsync(new LogProgress(this), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Names the store in the one line Program prints; the data source is a path or host, never a password.
            throw new InvalidOperationException(
                $"Storage ({backend.Provider}, {backend.DataSource}) could not be opened: {ex.Message}", ex);
        }

        var head = await backend.Store.ReadHeadAsync(cancellationToken);
        LogReady(backend.Provider, backend.DataSource, head.Position, projections.Projections.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Opening storage: provider {Provider}, data source {DataSource}")]
    private partial void LogOpening(string provider, string dataSource);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage ready: provider {Provider}, data source {DataSource}, log head {HeadPosition}, {ProjectionCount} projections")]
    private partial void LogReady(string provider, string dataSource, long headPosition, int projectionCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Building projection {Projection}: {Position}/{Head}")]
    private partial void LogRebuild(string projection, long position, long head);

    /// <summary>Reports synchronously (<see cref="Progress{T}"/> would post to the thread pool and log out of order).</summary>
    private sealed class LogProgress(StorageStartup owner) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => owner.LogRebuild(value.Projection, value.Position, value.Head);
    }
}
