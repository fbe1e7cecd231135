using KoderId.EventSourcing.Projections;

namespace KoderId.Server.Storage;

/// <summary>Runs the async projections for the host's lifetime; stops when the host's stopping token fires.</summary>
internal sealed partial class ProjectionDaemonService(ProjectionDaemon daemon, ILogger<ProjectionDaemonService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await daemon.RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: every projection's position is committed with its batch, so there is nothing to flush.
        }
        catch (Exception ex)
        {
            // The daemon retries storage failures itself; anything else is a projection bug that stops the host.
            LogFailed(ex);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "The projection daemon failed")]
    private partial void LogFailed(Exception ex);
}
