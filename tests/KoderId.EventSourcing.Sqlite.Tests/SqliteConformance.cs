using KoderId.EventSourcing.Conformance;
using KoderId.EventSourcing.Sqlite;
using KoderId.EventSourcing.Storage;
using Microsoft.Data.Sqlite;

namespace KoderId.EventSourcing.Sqlite.Tests;

public sealed class SqliteConformance : EventStoreConformance
{
    protected override async Task<IStoreHarness> CreateHarnessAsync()
    {
        var folder = TempFolder.Create();
        var database = new SqliteDatabase($"Data Source={Path.Combine(folder, "koderid.db")}");
        await database.InitializeAsync();
        return new SqliteHarness(folder, database);
    }

    private sealed class SqliteHarness(string folder, SqliteDatabase database) : IStoreHarness
    {
        private readonly SqliteEventStore _store = new(database);

        public IEventStore Store => _store;

        public ISubjectKeyStore Keys { get; } = new SqliteSubjectKeyStore(database);

        public Task TamperDataAsync(long position, string newData) =>
            ExecuteAsync("UPDATE events SET data = @d WHERE position = @p", ("@d", newData), ("@p", position));

        public Task TamperDeleteAsync(long position) =>
            ExecuteAsync("DELETE FROM events WHERE position = @p", ("@p", position));

        private async Task ExecuteAsync(string sql, params (string, object)[] args)
        {
            await using var connection = await database.OpenAsync();
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            foreach (var (name, value) in args)
            {
                cmd.Parameters.AddWithValue(name, value);
            }

            await cmd.ExecuteNonQueryAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await _store.DisposeAsync();
            TempFolder.Delete(folder);
        }
    }
}

public sealed class SqliteDurability : DurabilityConformance, IDisposable
{
    private readonly string _folder = TempFolder.Create();

    protected override Task<(string Provider, string ConnectionString)> CreateEmptyTargetAsync() =>
        Task.FromResult(("sqlite", $"Data Source={Path.Combine(_folder, "crash.db")}"));

    protected override Task<IEventStore> OpenStoreAsync(string connectionString) =>
        Task.FromResult<IEventStore>(new SqliteEventStore(new SqliteDatabase(connectionString)));

    public void Dispose() => TempFolder.Delete(_folder);
}

internal static class TempFolder
{
    public static string Create()
    {
        var folder = Path.Combine(Path.GetTempPath(), "koderid-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static void Delete(string folder)
    {
        KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A pooled handle may linger for a moment; the OS temp cleaner takes the rest.
        }
    }
}

public sealed class SqliteTransientConformance : TransientStoreConformance
{
    private readonly string _folder = TempFolder.Create();

    protected override async Task<ITransientStore> CreateStoreAsync(TimeProvider clock)
    {
        var database = new SqliteDatabase($"Data Source={Path.Combine(_folder, "koderid.db")}");
        await database.InitializeAsync();
        return new SqliteTransientStore(database, clock);
    }

    protected override Task DisposeStoreAsync()
    {
        TempFolder.Delete(_folder);
        return Task.CompletedTask;
    }
}
