using KoderId.EventSourcing.Storage;

namespace KoderId.Server.Storage;

/// <summary>
/// Deletes expired flows, counters and challenges once a minute so the transient table stays bounded by the
/// traffic of the last few minutes (ADR 0006). Expired rows already read as absent, so a late purge is harmless;
/// several nodes purging at once only delete the same rows.
/// </summary>
internal sealed partial class TransientPurgeService(ITransientStore store, TimeProvider time, ILogger<TransientPurgeService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var purged = await store.PurgeExpiredAsync(time.GetUtcNow(), stoppingToken);
                    if (purged > 0)
                    {
                        LogPurged(purged);
                    }
                }
                catch (EventStoreException ex)
                {
                    // The store is unreachable for a moment: the next tick tries again.
                    LogFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Purged {Count} expired transient entries")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging expired transient entries failed")]
    private partial void LogFailed(Exception ex);
}
