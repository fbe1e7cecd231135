using System.Security.Cryptography;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;

namespace KoderId.EventSourcing.Projections;

public sealed record ProjectionStatus(
    string Name,
    int Version,
    ProjectionLifecycle Lifecycle,
    int? BuiltVersion,
    long Position,
    long Head,
    IReadOnlyList<string> Tables)
{
    public long Lag => Math.Max(0, Head - Position);
    public bool IsCurrent => BuiltVersion == Version && Position >= Head;
}

public sealed record RebuildProgress(string Projection, long Position, long Head);

public sealed record RebuildResult(string Projection, long Events, TimeSpan Elapsed)
{
    public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? Events / Elapsed.TotalSeconds : Events;
}

/// <summary>
/// Builds, upgrades and rebuilds projections. A rebuild fills shadow tables from position 0 while writers
/// go on, then takes the append lock, applies the last events and swaps the shadow tables in, in one
/// transaction: readers see the old model or the new one, never half of one.
/// </summary>
public sealed class ProjectionManager(IEventStore store, IReadModelStore readModels, EventSerializer serializer, IEnumerable<IProjection> projections)
{
    private const int BatchSize = 5_000;
    private readonly IProjection[] _projections = projections.ToArray();
    private readonly ProjectionDispatch _dispatch = new(serializer);

    public IReadOnlyList<IProjection> Projections => _projections;

    public IProjection Find(string name) =>
        _projections.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"No projection named '{name}'. Known: {string.Join(", ", _projections.Select(p => p.Name))}.", nameof(name));

    public async Task<IReadOnlyList<ProjectionStatus>> ListAsync(CancellationToken ct = default)
    {
        var head = (await store.ReadHeadAsync(ct).ConfigureAwait(false)).Position;
        await using var connection = await readModels.OpenConnectionAsync(ct).ConfigureAwait(false);
        var rows = await ProjectionStateSql.ReadAllAsync(connection, null, ct).ConfigureAwait(false);
        return _projections.Select(p => rows.TryGetValue(p.Name, out var row)
                ? new ProjectionStatus(p.Name, p.Version, p.Lifecycle, row.Version, row.Position, head, row.Tables)
                : new ProjectionStatus(p.Name, p.Version, p.Lifecycle, null, 0, head, []))
            .ToArray();
    }

    /// <summary>True when every inline projection is built at its current version and has seen the head of the log.</summary>
    public async Task<bool> InlineProjectionsCurrentAsync(CancellationToken ct = default)
    {
        var statuses = await ListAsync(ct).ConfigureAwait(false);
        return statuses.Where(s => s.Lifecycle == ProjectionLifecycle.Inline).All(s => s.IsCurrent);
    }

    /// <summary>Builds every projection that is missing or whose version changed. Run at start-up before serving.</summary>
    public async Task EnsureAsync(IProgress<RebuildProgress>? progress = null, CancellationToken ct = default)
    {
        IReadOnlyDictionary<string, ProjectionStateRow> rows;
        await using (var connection = await readModels.OpenConnectionAsync(ct).ConfigureAwait(false))
        {
            rows = await ProjectionStateSql.ReadAllAsync(connection, null, ct).ConfigureAwait(false);
        }

        foreach (var projection in _projections)
        {
            if (!rows.TryGetValue(projection.Name, out var row) || row.Version != projection.Version ||
                row.Lifecycle != projection.Lifecycle)
            {
                await RebuildAsync(projection, progress, ct).ConfigureAwait(false);
            }
        }
    }

    public Task<RebuildResult> RebuildAsync(string name, IProgress<RebuildProgress>? progress = null, CancellationToken ct = default) =>
        RebuildAsync(Find(name), progress, ct);

    public async Task<RebuildResult> RebuildAsync(IProjection projection, IProgress<RebuildProgress>? progress = null, CancellationToken ct = default)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var liveSuffix = ProjectionNames.Suffix(projection);
        var shadowSuffix = $"{liveSuffix}__rb{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        await using var connection = await readModels.OpenConnectionAsync(ct).ConfigureAwait(false);

        await using (var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false))
        {
            await using var ctx = new ProjectionContext(connection, tx, readModels.Dialect, shadowSuffix);
            await projection.CreateAsync(ctx, ct).ConfigureAwait(false);
            await ctx.FlushAsync(ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }

        long position = 0;
        long applied = 0;
        try
        {
            var head = (await store.ReadHeadAsync(ct).ConfigureAwait(false)).Position;
            await foreach (var batch in ReadAheadAsync(position, ct).ConfigureAwait(false))
            {
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                await using var ctx = new ProjectionContext(connection, tx, readModels.Dialect, shadowSuffix);
                foreach (var e in batch)
                {
                    await _dispatch.ApplyAsync(projection, ctx, e, null, ct).ConfigureAwait(false);
                }

                await ctx.FlushAsync(ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                position = batch[^1].Position;
                applied += batch.Count;
                progress?.Report(new RebuildProgress(projection.Name, position, Math.Max(head, position)));
            }

            await using var scope = await readModels.BeginExclusiveAsync(connection, ct).ConfigureAwait(false);
            await using (var ctx = new ProjectionContext(connection, scope.Transaction, readModels.Dialect, shadowSuffix))
            {
                while (true)
                {
                    var count = await ApplyBatchAsync(projection, ctx, position, ct).ConfigureAwait(false);
                    if (count.Events == 0)
                    {
                        break;
                    }

                    position = count.LastPosition;
                    applied += count.Events;
                }

                await ctx.FlushAsync(ct).ConfigureAwait(false);
            }

            var rows = await ProjectionStateSql.ReadAllAsync(connection, scope.Transaction, ct).ConfigureAwait(false);
            await using (var swap = new ProjectionContext(connection, scope.Transaction, readModels.Dialect, ""))
            {
                var liveTables = ProjectionNames.LiveTables(projection);
                var toDrop = rows.TryGetValue(projection.Name, out var row) ? row.Tables.Union(liveTables) : liveTables;
                foreach (var table in toDrop)
                {
                    await swap.ExecuteAsync($"DROP TABLE IF EXISTS {table}", ct).ConfigureAwait(false);
                }

                foreach (var table in projection.Tables)
                {
                    await swap.ExecuteAsync($"ALTER TABLE {table}{shadowSuffix} RENAME TO {table}{liveSuffix}", ct).ConfigureAwait(false);
                }

                await swap.ExecuteAsync(
                    ProjectionStateSql.Upsert,
                    ct,
                    ("@name", projection.Name),
                    ("@version", projection.Version),
                    ("@position", position),
                    ("@tables", string.Join(',', liveTables)),
                    ("@lifecycle", ProjectionStateSql.LifecycleName(projection.Lifecycle)),
                    ("@now", ProjectionStateSql.Now())).ConfigureAwait(false);
            }

            await scope.CommitAsync(ct).ConfigureAwait(false);
            progress?.Report(new RebuildProgress(projection.Name, position, position));
            return new RebuildResult(projection.Name, applied, started.Elapsed);
        }
        catch
        {
            await DropShadowAsync(projection, shadowSuffix).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Applies the next batch after <paramref name="afterPosition"/> to an async projection and advances its position in the same transaction.</summary>
    internal async Task<(int Events, long LastPosition)> ApplyBatchAsync(IProjection projection, ProjectionContext ctx, long afterPosition, CancellationToken ct)
    {
        var count = 0;
        var last = afterPosition;
        await foreach (var e in store.ReadAllAsync(afterPosition, BatchSize, ct).ConfigureAwait(false))
        {
            await _dispatch.ApplyAsync(projection, ctx, e, null, ct).ConfigureAwait(false);
            last = e.Position;
            count++;
        }

        return (count, last);
    }

    /// <summary>Reads the log in batches one step ahead of the caller, so reading and applying use both cores.</summary>
    private async IAsyncEnumerable<List<StoredEvent>> ReadAheadAsync(long afterPosition, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var channel = System.Threading.Channels.Channel.CreateBounded<List<StoredEvent>>(2);
        var producer = Task.Run(
            async () =>
            {
                try
                {
                    var after = afterPosition;
                    while (true)
                    {
                        var batch = new List<StoredEvent>(BatchSize);
                        await foreach (var e in store.ReadAllAsync(after, BatchSize, ct).ConfigureAwait(false))
                        {
                            batch.Add(e);
                        }

                        if (batch.Count == 0)
                        {
                            break;
                        }

                        after = batch[^1].Position;
                        await channel.Writer.WriteAsync(batch, ct).ConfigureAwait(false);
                    }

                    channel.Writer.Complete();
                }
                catch (Exception ex)
                {
                    channel.Writer.Complete(ex);
                }
            },
            ct);

        await foreach (var batch in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
        {
            yield return batch;
        }

        await producer.ConfigureAwait(false);
    }

    private async Task DropShadowAsync(IProjection projection, string shadowSuffix)
    {
        try
        {
            await using var connection = await readModels.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            foreach (var table in projection.Tables)
            {
                await using var cmd = connection.CreateCommand();
                cmd.CommandText = $"DROP TABLE IF EXISTS {table}{shadowSuffix}";
                await cmd.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (System.Data.Common.DbException)
        {
            // Best effort: a leftover shadow table is harmless and named so it never clashes.
        }
    }
}
