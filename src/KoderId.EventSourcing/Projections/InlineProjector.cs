using System.Data.Common;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;

namespace KoderId.EventSourcing.Projections;

/// <summary>
/// Applies every inline projection to freshly appended events inside the driver's append transaction, and
/// advances their position in the same transaction, so a read model is never behind an acknowledged write.
/// </summary>
public sealed class InlineProjector
{
    private readonly IProjection[] _projections;
    private readonly ProjectionDispatch _dispatch;

    public InlineProjector(IEnumerable<IProjection> projections, EventSerializer serializer)
    {
        _projections = projections.Where(p => p.Lifecycle == ProjectionLifecycle.Inline).ToArray();
        _dispatch = new ProjectionDispatch(serializer);
    }

    public IReadOnlyList<IProjection> Projections => _projections;

    public async Task ApplyAsync(
        DbConnection connection,
        DbTransaction? transaction,
        SqlDialect dialect,
        IReadOnlyList<StoredEvent> events,
        IReadOnlyList<object?> payloads,
        CancellationToken ct)
    {
        if (_projections.Length == 0 || events.Count == 0)
        {
            return;
        }

        foreach (var projection in _projections)
        {
            await using var ctx = new ProjectionContext(connection, transaction, dialect, ProjectionNames.Suffix(projection));
            for (var i = 0; i < events.Count; i++)
            {
                await _dispatch.ApplyAsync(projection, ctx, events[i], payloads[i], ct).ConfigureAwait(false);
            }

            await ctx.FlushAsync(ct).ConfigureAwait(false);
        }

        await using var advance = new ProjectionContext(connection, transaction, dialect, "");
        await advance.ExecuteAsync(ProjectionStateSql.AdvanceInline, ct, ("@position", events[^1].Position), ("@now", ProjectionStateSql.Now())).ConfigureAwait(false);
    }
}

internal static class ProjectionNames
{
    public static string Suffix(IProjection projection) => $"_v{projection.Version}";

    public static IReadOnlyList<string> LiveTables(IProjection projection) =>
        projection.Tables.Select(t => t + Suffix(projection)).ToArray();
}

/// <summary>Decides whether a projection cares about an event and hands it the typed record.</summary>
internal sealed class ProjectionDispatch(EventSerializer serializer)
{
    private readonly Dictionary<IProjection, HashSet<Type>?> _handled = [];

    public async ValueTask ApplyAsync(IProjection projection, ProjectionContext ctx, StoredEvent stored, object? payload, CancellationToken ct)
    {
        var handled = Handled(projection);
        if (payload is null)
        {
            var registry = serializer.Registry;
            if (!registry.TryResolve(stored.EventType, out var info))
            {
                if (handled is null)
                {
                    await projection.ApplyAsync(ctx, new ProjectedEvent(stored, null), ct).ConfigureAwait(false);
                }

                return;
            }

            if (handled is not null && !handled.Contains(info.ClrType))
            {
                return;
            }

            payload = (await serializer.DeserializeAsync(stored, ct).ConfigureAwait(false)).Event;
        }
        else if (handled is not null && !handled.Contains(payload.GetType()))
        {
            return;
        }

        await projection.ApplyAsync(ctx, new ProjectedEvent(stored, payload), ct).ConfigureAwait(false);
    }

    private HashSet<Type>? Handled(IProjection projection)
    {
        lock (_handled)
        {
            if (!_handled.TryGetValue(projection, out var set))
            {
                set = projection.HandledTypes is { } types ? [.. types] : null;
                _handled[projection] = set;
            }

            return set;
        }
    }
}
