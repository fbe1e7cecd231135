using KoderId.Cli.Output;
using KoderId.EventSourcing.Postgres;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Sqlite;
using KoderId.EventSourcing.Storage;
using KoderId.Events;
using Microsoft.Data.Sqlite;

namespace KoderId.Cli.Storage;

/// <summary>
/// The one place that turns <c>--provider</c> and <c>--connection</c> into a composed store: the driver, its
/// subject keys, the serializer over the event catalogue, the inline projector handed to the driver (so any
/// append made through it keeps inline read models current) and the projection manager.
/// </summary>
internal sealed class StoreConnection : IAsyncDisposable
{
    private readonly IAsyncDisposable _driver;

    private StoreConnection(IEventStore events, IReadModelStore readModels, EventSerializer serializer, ISubjectKeyStore keys, IReadOnlyList<IProjection> projections, IAsyncDisposable driver)
    {
        Events = events;
        Keys = keys;
        ReadModels = readModels;
        Serializer = serializer;
        Projections = new ProjectionManager(events, readModels, serializer, projections);
        _driver = driver;
    }

    public IEventStore Events { get; }

    public IReadModelStore ReadModels { get; }

    public EventSerializer Serializer { get; }

    /// <summary>The subject keys of crypto-shredding (audit replay decrypts personal fields with them).</summary>
    public ISubjectKeyStore Keys { get; }

    public ProjectionManager Projections { get; }

    /// <param name="create">
    /// Whether a missing SQLite file may be created (only <c>bootstrap</c>, which prepares a store before the first
    /// server start); every other command reports a missing file instead.
    /// </param>
    public static async Task<StoreConnection> OpenAsync(StoreSettings settings, IReadOnlyList<IProjection> projections, CancellationToken ct, bool create = false)
    {
        var registry = EventCatalog.CreateRegistry();
        return settings.Provider.ToUpperInvariant() switch
        {
            "SQLITE" => await OpenSqliteAsync(settings, registry, projections, create, ct).ConfigureAwait(false),
            "POSTGRES" => await OpenPostgresAsync(settings, registry, projections, ct).ConfigureAwait(false),

            _ => throw new CliException(CliErrors.BadOption,
                $"the provider from {settings.ProviderSource} must be 'sqlite' or 'postgres', not '{Terminal.Clean(settings.Provider)}'"),
        };
    }

    private static async Task<StoreConnection> OpenSqliteAsync(
        StoreSettings settings, EventTypeRegistry registry, IReadOnlyList<IProjection> projections, bool create, CancellationToken ct)
    {
        SqliteDatabase database;
        try
        {
            var builder = new SqliteConnectionStringBuilder(settings.ConnectionString);

            // An admin tool pointed at a mistyped path must say so, not start an empty store there.
            if (builder.Mode == SqliteOpenMode.ReadWriteCreate && !create)
            {
                builder.Mode = SqliteOpenMode.ReadWrite;
            }

            database = new SqliteDatabase(builder.ToString());
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new CliException(CliErrors.BadOption,
                $"the connection string from {settings.ConnectionSource} is not a usable SQLite connection string (expected a file, e.g. '{GlobalOptions.DefaultConnectionString}')");
        }

        if (create && !File.Exists(database.FilePath) && Path.GetDirectoryName(Path.GetFullPath(database.FilePath)) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }

        if (!create && !File.Exists(database.FilePath))
        {
            throw new CliException(CliErrors.StoreUnreachable,
                $"SQLite database '{Terminal.Clean(database.FilePath)}' does not exist; nothing was created (connection string from {settings.ConnectionSource})",
                ExitCodes.Failure);
        }

        await database.InitializeAsync(ct).ConfigureAwait(false);
        var keys = new SqliteSubjectKeyStore(database);
        var serializer = new EventSerializer(registry, keys);
        var store = new SqliteEventStore(database, new InlineProjector(projections, serializer));
        return new StoreConnection(store, store, serializer, keys, projections, store);
    }

    private static async Task<StoreConnection> OpenPostgresAsync(StoreSettings settings, EventTypeRegistry registry, IReadOnlyList<IProjection> projections, CancellationToken ct)
    {
        PostgresDatabase database;
        try
        {
            database = new PostgresDatabase(settings.ConnectionString);
        }
        catch (ArgumentException)
        {
            throw new CliException(CliErrors.BadOption,
                $"the connection string from {settings.ConnectionSource} is not a usable PostgreSQL connection string (expected e.g. 'Host=db;Database=koderid;Username=koderid;Password=...')");
        }

        try
        {
            await database.InitializeAsync(ct).ConfigureAwait(false);
        }
        catch (EventStoreException)
        {
            await database.DisposeAsync().ConfigureAwait(false);
            throw new CliException(CliErrors.StoreUnreachable, $"PostgreSQL at {database} did not answer (connection string from {settings.ConnectionSource})", ExitCodes.Failure);
        }

        var keys = new PostgresSubjectKeyStore(database);
        var serializer = new EventSerializer(registry, keys);
        var store = new PostgresEventStore(database, new InlineProjector(projections, serializer));
        return new StoreConnection(store, store, serializer, keys, projections, new Owned(store, database));
    }

    public ValueTask DisposeAsync() => _driver.DisposeAsync();

    private sealed class Owned(PostgresEventStore store, PostgresDatabase database) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await store.DisposeAsync().ConfigureAwait(false);
            await database.DisposeAsync().ConfigureAwait(false);
        }
    }
}
