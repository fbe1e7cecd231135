using System.Data.Common;
using KoderId.EventSourcing.InMemory;
using KoderId.EventSourcing.Postgres;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Sqlite;
using KoderId.EventSourcing.Storage;
using KoderId.Events;
using KoderId.Projections;
using KoderId.Server.Configuration;
using KoderId.Server.Observability;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace KoderId.Server.Storage;

/// <summary>
/// The one place that knows the storage drivers: picks the provider from <c>KoderId:Storage</c> and registers
/// the store, the subject keys, the serializer, the inline projector, the projection manager and daemon.
/// </summary>
public static class StorageComposition
{
    public static IServiceCollection AddKoderIdStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();

        services.AddSingleton(_ => EventCatalog.CreateRegistry());
        services.AddSingleton(sp => Create(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value,
            sp.GetRequiredService<EventTypeRegistry>(),
            ProjectionCatalog.All()));

        services.AddSingleton<IEventStore>(sp => new InstrumentedEventStore(
            sp.GetRequiredService<StorageBackend>().Store, sp.GetRequiredService<KoderIdMetrics>()));
        services.AddSingleton(sp => sp.GetRequiredService<StorageBackend>().ReadModels);
        services.AddSingleton(sp => sp.GetRequiredService<StorageBackend>().Keys);
        services.AddSingleton(sp => sp.GetRequiredService<StorageBackend>().KeyMaterial);
        services.AddSingleton(sp => sp.GetRequiredService<StorageBackend>().Transient);
        services.AddSingleton(sp => KeyEncryptionKeySetup.Create(
            configuration, sp.GetRequiredService<StorageBackend>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => sp.GetRequiredService<StorageBackend>().Serializer);
        services.AddSingleton(sp => sp.GetRequiredService<StorageBackend>().Inline);
        services.AddSingleton(sp => new ProjectionManager(
            sp.GetRequiredService<IEventStore>(),
            sp.GetRequiredService<IReadModelStore>(),
            sp.GetRequiredService<EventSerializer>(),
            sp.GetRequiredService<StorageBackend>().Projections));
        services.AddSingleton(sp => new ProjectionDaemon(
            sp.GetRequiredService<IEventStore>(),
            sp.GetRequiredService<IReadModelStore>(),
            sp.GetRequiredService<ProjectionManager>()));

        // Registration order is start order: the schema and projections are ready before the daemon runs,
        // and both before the server takes traffic (the web host starts after every hosted service).
        services.AddHostedService<StorageStartup>();
        services.AddHostedService<ProjectionDaemonService>();
        services.AddHostedService<TransientPurgeService>();
        return services;
    }

    /// <summary>Builds the driver objects; throws <see cref="ConfigurationException"/> naming the setting at fault. No I/O.</summary>
    public static StorageBackend Create(StorageOptions options, EventTypeRegistry registry, IReadOnlyList<IProjection> projections)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.NormalizedProvider switch
        {
            StorageOptions.Sqlite => Sqlite(options, registry, projections),
            StorageOptions.InMemory => InMemory(registry, projections),
            StorageOptions.Postgres => Postgres(options, registry, projections),
            _ => throw new ConfigurationException(StorageOptions.UnknownProvider(options.Provider)),
        };
    }

    private static StorageBackend Sqlite(StorageOptions options, EventTypeRegistry registry, IReadOnlyList<IProjection> projections)
    {
        var connectionString = string.IsNullOrWhiteSpace(options.ConnectionString)
            ? StorageOptions.DefaultSqliteConnectionString
            : options.ConnectionString;
        var db = Driver(StorageOptions.Sqlite, () => new SqliteDatabase(connectionString));
        var keys = new SqliteSubjectKeyStore(db);
        var serializer = new EventSerializer(registry, keys);
        var inline = new InlineProjector(projections, serializer);
        var store = new SqliteEventStore(db, inline);
        return new StorageBackend(
            StorageOptions.Sqlite, db.FilePath, store, store, keys, serializer, inline, projections, db.InitializeAsync, store.DisposeAsync,
            new SqliteSigningKeyMaterialStore(db), new SqliteTransientStore(db));
    }

    private static StorageBackend Postgres(StorageOptions options, EventTypeRegistry registry, IReadOnlyList<IProjection> projections)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ConfigurationException($"{StorageOptions.Section}:ConnectionString is required for provider postgres.");
        }

        var db = Driver(StorageOptions.Postgres, () => new PostgresDatabase(options.ConnectionString));
        var keys = new PostgresSubjectKeyStore(db);
        var serializer = new EventSerializer(registry, keys);
        var inline = new InlineProjector(projections, serializer);
        var store = new PostgresEventStore(db, inline);

        async ValueTask DisposeAsync()
        {
            await store.DisposeAsync();
            await db.DisposeAsync();
        }

        // PostgresDatabase.ToString names host, port and database only, never credentials.
        return new StorageBackend(
            StorageOptions.Postgres, db.ToString(), store, store, keys, serializer, inline, projections, db.InitializeAsync, DisposeAsync,
            new PostgresSigningKeyMaterialStore(db), new PostgresTransientStore(db));
    }

    /// <summary>
    /// The log in process memory; the read models in a named shared-cache in-memory SQLite database, which
    /// lives as long as one connection to it is open, so the backend holds one until it is disposed.
    /// </summary>
    private static StorageBackend InMemory(EventTypeRegistry registry, IReadOnlyList<IProjection> projections)
    {
        var name = $"koderid-{Guid.NewGuid():N}";
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = name,
            Mode = SqliteOpenMode.Memory,
            Cache = SqliteCacheMode.Shared,
        }.ToString();
        var keepAlive = SqliteConnections.Open(connectionString);

        Task<DbConnection> OpenAsync(CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            return Task.FromResult<DbConnection>(SqliteConnections.Open(connectionString));
        }

        var store = new InMemoryEventStore(OpenAsync);
        var serializer = new EventSerializer(registry, store);
        var inline = new InlineProjector(projections, serializer);
        store.Inline = inline;

        async Task InitializeAsync(CancellationToken ct)
        {
            await using var cmd = keepAlive.CreateCommand();
            cmd.CommandText = ProjectionStateSql.CreateTables;
            await cmd.ExecuteNonQueryAsync(ct);
        }

        async ValueTask DisposeAsync()
        {
            SqliteConnection.ClearPool(keepAlive);
            await keepAlive.DisposeAsync();
        }

        return new StorageBackend(
            StorageOptions.InMemory, $"memory:{name}", store, store, store, serializer, inline, projections, InitializeAsync, DisposeAsync,
            new InMemorySigningKeyMaterialStore(), new InMemoryTransientStore());
    }

    /// <summary>Drivers reject a malformed connection string in their constructor with an ArgumentException.</summary>
    private static T Driver<T>(string provider, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException ex)
        {
            // The driver's own message names what is wrong without echoing the string (it may hold a password).
            var reason = ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", "", StringComparison.Ordinal);
            throw new ConfigurationException($"{StorageOptions.Section}:ConnectionString is not valid for provider {provider}: {reason}", ex);
        }
    }
}
