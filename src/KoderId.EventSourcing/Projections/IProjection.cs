using KoderId.EventSourcing.Storage;

namespace KoderId.EventSourcing.Projections;

/// <summary>
/// Inline projections commit inside the append transaction (anything a login or token path must read right
/// after a write); async projections follow the log from a checkpoint. See docs/adr/0002-projections.md.
/// </summary>
public enum ProjectionLifecycle
{
    Inline,
    Async,
}

public enum SqlDialect
{
    Sqlite,
    Postgres,
}

/// <summary>A read model: a set of versioned SQL tables built from the log.</summary>
public interface IProjection
{
    /// <summary>Stable name, lowercase with dashes or underscores (<c>users</c>).</summary>
    string Name { get; }

    /// <summary>Bumping it rebuilds the tables under a new <c>_vN</c> suffix from position 0.</summary>
    int Version { get; }

    ProjectionLifecycle Lifecycle { get; }

    /// <summary>Base names of the tables it owns; the real names are <c>{base}_v{Version}</c> (see <see cref="ProjectionContext.Table"/>).</summary>
    IReadOnlyList<string> Tables { get; }

    /// <summary>The event records it reacts to; null for every event (raw, typed when the type is known).</summary>
    IReadOnlyCollection<Type>? HandledTypes { get; }

    /// <summary>Creates its tables and indexes, naming each through <see cref="ProjectionContext.Table"/>.</summary>
    Task CreateAsync(ProjectionContext context, CancellationToken ct);

    Task ApplyAsync(ProjectionContext context, ProjectedEvent e, CancellationToken ct);
}

/// <param name="Event">The typed event (upcast, personal data decrypted); null only for raw projections and unknown types.</param>
public sealed record ProjectedEvent(StoredEvent Stored, object? Event);

/// <summary>
/// A projection made of typed handlers: <c>On&lt;UserCreated&gt;((ctx, e, stored, ct) => ...)</c>.
/// </summary>
public abstract class SqlProjection(string name, int version, ProjectionLifecycle lifecycle, params string[] tables) : IProjection
{
    private readonly Dictionary<Type, Func<ProjectionContext, object, StoredEvent, CancellationToken, Task>> _handlers = [];

    public string Name { get; } = name;
    public int Version { get; } = version;
    public ProjectionLifecycle Lifecycle { get; } = lifecycle;
    public IReadOnlyList<string> Tables { get; } = tables;
    public IReadOnlyCollection<Type>? HandledTypes => _handlers.Keys;

    public abstract Task CreateAsync(ProjectionContext context, CancellationToken ct);

    public Task ApplyAsync(ProjectionContext context, ProjectedEvent e, CancellationToken ct) =>
        e.Event is not null && _handlers.TryGetValue(e.Event.GetType(), out var handler)
            ? handler(context, e.Event, e.Stored, ct)
            : Task.CompletedTask;

    protected void On<TEvent>(Func<ProjectionContext, TEvent, StoredEvent, CancellationToken, Task> handler)
        where TEvent : class =>
        _handlers[typeof(TEvent)] = (ctx, e, stored, ct) => handler(ctx, (TEvent)e, stored, ct);
}
