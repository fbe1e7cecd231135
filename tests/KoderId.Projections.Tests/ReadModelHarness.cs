using System.Globalization;
using System.Text;
using KoderId.Events;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Sqlite;
using KoderId.EventSourcing.Storage;
using KoderId.Projections;
using Microsoft.Data.Sqlite;

namespace KoderId.Projections.Tests;

/// <summary>
/// The production wiring on a throw-away SQLite file: store with the inline projector, subject keys in the
/// same file, serializer over the real event catalogue, projection manager and daemon.
/// </summary>
internal sealed class ReadModelHarness : IAsyncDisposable
{
    private readonly bool _ownsDirectory;

    private ReadModelHarness(string directory, bool ownsDirectory, IReadOnlyList<IProjection> projections)
    {
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        Projections = projections;
        Database = new SqliteDatabase($"Data Source={Path.Combine(directory, "koderid.db")}");
        Keys = new SqliteSubjectKeyStore(Database);
        Serializer = new EventSerializer(EventCatalog.CreateRegistry(), Keys);
        Store = new SqliteEventStore(Database, new InlineProjector(projections, Serializer));
        Manager = new ProjectionManager(Store, Store, Serializer, projections);
        Daemon = new ProjectionDaemon(Store, Store, Manager);
    }

    public string Directory { get; }
    public IReadOnlyList<IProjection> Projections { get; }
    public SqliteDatabase Database { get; }
    public SqliteSubjectKeyStore Keys { get; }
    public EventSerializer Serializer { get; }
    public SqliteEventStore Store { get; }
    public ProjectionManager Manager { get; }
    public ProjectionDaemon Daemon { get; }

    public static string NewDirectory() => Path.Combine(Path.GetTempPath(), "koderid-projections-" + Guid.NewGuid().ToString("N"));

    /// <summary>Opens (or creates) the database in <paramref name="directory"/>, deleted on dispose only when the harness made it up.</summary>
    public static async Task<ReadModelHarness> StartAsync(IReadOnlyList<IProjection>? projections = null, string? directory = null)
    {
        var harness = new ReadModelHarness(directory ?? NewDirectory(), directory is null, projections ?? ProjectionCatalog.All());
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
            await using var connection = await Database.OpenAsync();
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
        await using var connection = await Database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
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
        await using var connection = await Database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (_ownsDirectory && System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
