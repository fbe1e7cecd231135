using KoderId.EventSourcing.Storage;

namespace KoderId.EventSourcing.Projections;

/// <summary>
/// Keeps every async projection following the log: one lease per projection so a single node runs it, one
/// transaction per batch that also advances the projection's position (compare-and-set, so a concurrent
/// rebuild wins and the daemon simply resumes from the new position).
/// </summary>
public sealed class ProjectionDaemon(IEventStore store, IReadModelStore readModels, ProjectionManager manager)
{
    public static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(2);

    public Task RunAsync(CancellationToken ct) =>
        Task.WhenAll(manager.Projections
            .Where(p => p.Lifecycle == ProjectionLifecycle.Async)
            .Select(p => Task.Run(() => RunOneAsync(p, ct), ct)));

    /// <summary>Applies everything currently in the log; returns the number of events applied. Used by tests and the CLI.</summary>
    public async Task<long> CatchUpAsync(IProjection projection, CancellationToken ct = default)
    {
        long total = 0;
        while (true)
        {
            var applied = await StepAsync(projection, ct).ConfigureAwait(false);
            if (applied == 0)
            {
                return total;
            }

            total += applied;
        }
    }

    private async Task RunOneAsync(IProjection projection, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var lease = await readModels.TryAcquireLeaseAsync($"projection:{projection.Name}", ct).ConfigureAwait(false);
                if (lease is null)
                {
                    await Task.Delay(IdleWait, ct).ConfigureAwait(false);
                    continue;
                }

                while (!ct.IsCancellationRequested)
                {
                    var position = await PositionAsync(projection, ct).ConfigureAwait(false);
                    if (await StepAsync(projection, ct).ConfigureAwait(false) == 0)
                    {
                        await store.WaitForEventsAsync(position, IdleWait, ct).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or EventStoreException)
            {
                // A transient storage failure: back off and resume from the stored position.
                await Task.Delay(IdleWait, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<long> PositionAsync(IProjection projection, CancellationToken ct)
    {
        await using var connection = await readModels.OpenConnectionAsync(ct).ConfigureAwait(false);
        var rows = await ProjectionStateSql.ReadAllAsync(connection, null, ct).ConfigureAwait(false);
        return rows.TryGetValue(projection.Name, out var row) ? row.Position : 0;
    }

    private async Task<int> StepAsync(IProjection projection, CancellationToken ct)
    {
        await using var connection = await readModels.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        var rows = await ProjectionStateSql.ReadAllAsync(connection, tx, ct).ConfigureAwait(false);
        if (!rows.TryGetValue(projection.Name, out var row) || row.Version != projection.Version)
        {
            return 0; // not built yet at this version: EnsureAsync or a rebuild owns it.
        }

        await using var ctx = new ProjectionContext(connection, tx, readModels.Dialect, ProjectionNames.Suffix(projection));
        var (events, last) = await manager.ApplyBatchAsync(projection, ctx, row.Position, ct).ConfigureAwait(false);
        if (events == 0)
        {
            return 0;
        }

        var moved = await ctx.ExecuteAsync(
            ProjectionStateSql.AdvanceOne,
            ct,
            ("@position", last),
            ("@now", ProjectionStateSql.Now()),
            ("@name", projection.Name),
            ("@expected", row.Position)).ConfigureAwait(false);
        if (moved != 1)
        {
            return 0; // a rebuild moved the position under us; our batch is dropped with the rollback.
        }

        await tx.CommitAsync(ct).ConfigureAwait(false);
        return events;
    }
}
