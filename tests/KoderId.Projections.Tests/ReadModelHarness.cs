using System.Globalization;
using System.Text;
using KoderId.Events;
using KoderId.EventSourcing.Postgres;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Sqlite;
using KoderId.EventSourcing.Storage;
using KoderId.Projections;
using KoderId.Testing.Postgres;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace KoderId.Projections.Tests;

/// <summary>
/// The production wiring on a throw-away store, SQLite file or PostgreSQL database: store with the inline
/// projector, subject keys, serializer over the real event catalogue, projection manager and daemon.
/// </summary>
internal sealed class ReadModelHarness : IAsyncDisposable
{
    private readonly Func<ValueTask> _dispose;

    private ReadModelHarness(Target target, IReadOnlyList<IProjection> projections)
    {
        Location = target.Location;
        Projections = projections;
        Dialect = target.Dialect;
        if (target.Dialect == SqlDialect.Sqlite)
        {
            var database = new SqliteDatabase($"Data Source={Path.Combine(target.Location, "koderid.db")}");
            Keys = new SqliteSubjectKeyStore(database);
            Serializer = new EventSerializer(EventCatalog.CreateRegistry(), Keys);
            var store = new SqliteEventStore(database, new InlineProjector(projections, Serializer));
            (Store, ReadModels) = (store, store);
            _dispose = async () =>
            {
                await store.DisposeAsync();
                KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
                if (target.Owned && System.IO.Directory.Exists(target.Location))
                {
                    System.IO.Directory.Delete(target.Location, recursive: true);
                }
            };
        }
        else
        {
            var database = new PostgresDatabase(target.Location);
            Keys = new PostgresSubjectKeyStore(database);
            Serializer = new EventSerializer(EventCatalog.CreateRegistry(), Keys);
            var store = new PostgresEventStore(database, new InlineProjector(projections, Serializer));
            (Store, ReadModels) = (store, store);
            _dispose = async () =>
            {
                await store.DisposeAsync();
                await database.DisposeAsync();
                if (target.Owned)
                {
                    NpgsqlConnection.ClearAllPools();
                    await (await PostgresCluster.SharedAsync()).DropDatabaseAsync(target.Location);
                }
            };
        }

        Manager = new ProjectionManager(Store, ReadModels, Serializer, projections);
        Daemon = new ProjectionDaemon(Store, ReadModels, Manager);
    }

    /// <summary>A SQLite folder or a PostgreSQL connection string; <c>Owned</c> means dispose deletes it.</summary>
    internal sealed record Target(SqlDialect Dialect, string Location, bool Owned);

    public string Location { get; }
    public SqlDialect Dialect { get; }
    public IReadOnlyList<IProjection> Projections { get; }
    public ISubjectKeyStore Keys { get; }
    public EventSerializer Serializer { get; }
    public IEventStore Store { get; }
    public IReadModelStore ReadModels { get; }
    public ProjectionManager Manager { get; }
    public ProjectionDaemon Daemon { get; }

    public static async Task<Target> NewTargetAsync(SqlDialect dialect, bool owned = true) => dialect == SqlDialect.Sqlite
        ? new Target(dialect, Path.Combine(Path.GetTempPath(), "koderid-projections-" + Guid.NewGuid().ToString("N")), owned)
        : new Target(dialect, await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync(), owned);

    /// <summary>Opens (or creates) the store at <paramref name="target"/>.</summary>
    public static async Task<ReadModelHarness> StartAsync(Target target, IReadOnlyList<IProjection>? projections = null)
    {
        var harness = new ReadModelHarness(target, projections ?? ProjectionCatalog.All());
        await harness.Manager.EnsureAsync();
        return harness;
    }

    public IProjection Projection(string name) => Manager.Find(name);

    public async Task<AppendResult> AppendAsync(string tenantId, string streamId, EventMetadata metadata, params object[] events)
    {
        var uncommitted = new List<UncommittedEvent>(events.Length);
        foreach (var e in events)
        {
            uncommitted.Add(await Serializer.SerializeAsync(tenantId, e, metadata with { EventId = Guid.NewGuid() }));
        }

        return await Store.AppendAsync(new AppendRequest(tenantId, streamId, ExpectedVersion.Any, uncommitted));
    }

    public Task<AppendResult> AppendAsync(string tenantId, string streamId, params object[] events) =>
        AppendAsync(tenantId, streamId, EventMetadata.New("admin"), events);

    public Task<AppendResult> AppendRawAsync(string tenantId, string streamId, string eventType, string data, EventMetadata? metadata = null) =>
        Store.AppendAsync(new AppendRequest(tenantId, streamId, ExpectedVersion.Any, [new UncommittedEvent(eventType, data, metadata ?? EventMetadata.New("admin"))]));

    /// <summary>Every row of every live table of the projection, every column, in a stable order.</summary>
    public async Task<IReadOnlyList<string>> SnapshotAsync(IProjection projection)
    {
        var rows = new List<string>();
        foreach (var table in projection.Tables.Select(t => $"{t}_v{projection.Version}"))
        {
            await using var connection = await ReadModels.OpenConnectionAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {table}";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var row = new StringBuilder(table);
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    row.Append(" | ").Append(reader.GetName(i)).Append('=').Append(reader.IsDBNull(i)
                        ? "NULL"
                        : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture));
                }

                rows.Add(row.ToString());
            }
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    public async Task<IReadOnlyList<string>> TableNamesAsync()
    {
        await using var connection = await ReadModels.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = Dialect == SqlDialect.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            : "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    public async Task<long> CountAsync(string table)
    {
        await using var connection = await ReadModels.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync() => _dispose();
}
