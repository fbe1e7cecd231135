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

        await using var batch = Begin(connection, transaction, dialect);
        await batch.ApplyAsync(events, payloads, ct).ConfigureAwait(false);
        batch.Applied(events[^1].Position);
        await batch.CompleteAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// For a transaction that appends many streams (bulk imports, group commits): each projection keeps one
    /// <see cref="ProjectionContext"/> (its prepared commands) for the whole transaction, and the inline position
    /// advances once, in <see cref="InlineBatch.CompleteAsync"/>, which the owner calls before committing.
    /// </summary>
    public InlineBatch Begin(DbConnection connection, DbTransaction? transaction, SqlDialect dialect) =>
        new(this, connection, transaction, dialect);

    /// <summary>The inline projections' writes of one transaction; see <see cref="Begin"/>.</summary>
    public sealed class InlineBatch : IAsyncDisposable
    {
        private readonly InlineProjector _owner;
        private readonly DbConnection _connection;
        private readonly DbTransaction? _transaction;
        private readonly SqlDialect _dialect;
        private readonly ProjectionContext?[] _contexts;
        private long _lastPosition;

        internal InlineBatch(InlineProjector owner, DbConnection connection, DbTransaction? transaction, SqlDialect dialect)
        {
            _owner = owner;
            _connection = connection;
            _transaction = transaction;
            _dialect = dialect;
            _contexts = new ProjectionContext?[owner._projections.Length];
        }

        /// <summary>
        /// Applies one append's events. Each projection's writes are flushed before this returns, so the owner may
        /// roll back a savepoint around it. The position to advance to is the caller's to confirm with <see cref="Applied"/>.
        /// </summary>
        public async Task ApplyAsync(IReadOnlyList<StoredEvent> events, IReadOnlyList<object?> payloads, CancellationToken ct)
        {
            if (_contexts.Length == 0 || events.Count == 0)
            {
                return;
            }

            for (var p = 0; p < _contexts.Length; p++)
            {
                var projection = _owner._projections[p];
                var ctx = _contexts[p] ??= new ProjectionContext(_connection, _transaction, _dialect, ProjectionNames.Suffix(projection));
                for (var i = 0; i < events.Count; i++)
                {
                    await _owner._dispatch.ApplyAsync(projection, ctx, events[i], payloads[i], ct).ConfigureAwait(false);
                }

                await ctx.FlushAsync(ct).ConfigureAwait(false);
            }
        }

        /// <summary>Records that an append whose events were applied is kept (its savepoint released): the position advances to it at completion.</summary>
        public void Applied(long lastPosition) => _lastPosition = Math.Max(_lastPosition, lastPosition);

        /// <summary>Advances the inline projections' position to the last kept append. Call before committing.</summary>
        public async Task CompleteAsync(CancellationToken ct)
        {
            if (_contexts.Length == 0 || _lastPosition == 0)
            {
                return;
            }

            await using var advance = new ProjectionContext(_connection, _transaction, _dialect, "");
            await advance.ExecuteAsync(ProjectionStateSql.AdvanceInline, ct, ("@position", _lastPosition), ("@now", ProjectionStateSql.Now())).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var ctx in _contexts)
            {
                if (ctx is not null)
                {
                    await ctx.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
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
