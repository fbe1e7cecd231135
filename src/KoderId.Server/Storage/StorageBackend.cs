using KoderId.EventSourcing.InMemory;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;

namespace KoderId.Server.Storage;

/// <summary>
/// The driver objects for the configured provider, built once. It owns their lifetime: disposing it closes
/// the store (the SQLite writer connection, the in-memory read-model database).
/// </summary>
public sealed class StorageBackend(
    string provider,
    string dataSource,
    IEventStore store,
    IReadModelStore readModels,
    ISubjectKeyStore keys,
    EventSerializer serializer,
    InlineProjector inline,
    IReadOnlyList<IProjection> projections,
    Func<CancellationToken, Task> initialize,
    Func<ValueTask>? dispose = null,
    ISigningKeyMaterialStore? keyMaterial = null,
    ITransientStore? transient = null) : IAsyncDisposable
{
    private int _disposed;

    public string Provider { get; } = provider;

    /// <summary>Where the data lives (file path or host and database), safe to log: never a password.</summary>
    public string DataSource { get; } = dataSource;

    public IEventStore Store { get; } = store;
    public IReadModelStore ReadModels { get; } = readModels;
    public ISubjectKeyStore Keys { get; } = keys;

    /// <summary>The sealed private signing keys (their own table; process memory for the in-memory provider).</summary>
    public ISigningKeyMaterialStore KeyMaterial { get; } = keyMaterial ?? new InMemorySigningKeyMaterialStore();

    /// <summary>Flows, failed-attempt counters and challenges (ADR 0006): their own table; process memory for the in-memory provider.</summary>
    public ITransientStore Transient { get; } = transient ?? new InMemoryTransientStore();
    public EventSerializer Serializer { get; } = serializer;
    public InlineProjector Inline { get; } = inline;
    public IReadOnlyList<IProjection> Projections { get; } = projections;

    /// <summary>Creates the schema (and the file or database) when missing. Run once at start-up.</summary>
    public Task InitializeAsync(CancellationToken ct) => initialize(ct);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && dispose is not null)
        {
            await dispose();
        }
    }
}
