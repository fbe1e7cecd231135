using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Sqlite;
using KoderId.EventSourcing.Storage;
using Microsoft.Data.Sqlite;

namespace KoderId.Cli.Tests;

/// <summary>A temporary SQLite store seeded through the real driver, and the CLI run in-process against it.</summary>
public sealed class TestStore : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly SqliteEventStore _store;

    private TestStore(string folder)
    {
        Folder = folder;
        FilePath = Path.Combine(folder, "koderid.db");
        Database = new SqliteDatabase($"Data Source={FilePath}");
        _store = new SqliteEventStore(Database);
    }

    public string Folder { get; }

    public string FilePath { get; }

    public string ConnectionString => $"Data Source={FilePath}";

    public SqliteDatabase Database { get; }

    public IEventStore Store => _store;

    public static async Task<TestStore> CreateAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "koderid-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var store = new TestStore(folder);
        await store.Database.InitializeAsync();
        return store;
    }

    /// <summary>
    /// Six events: acme/user-1 (created, email-changed), acme/user-2 (created), globex/user-3 (created),
    /// acme/session-1 (session started), globex/user-3 (email-changed). Positions 1..6 in that order.
    /// </summary>
    public static async Task<TestStore> CreateSeededAsync()
    {
        var store = await CreateAsync();
        await store.AppendAsync("acme", "user-1", "user.created.v1", "user.email-changed.v1");
        await store.AppendAsync("acme", "user-2", "user.created.v1");
        await store.AppendAsync("globex", "user-3", "user.created.v1");
        await store.AppendAsync("acme", "session-1", "session.started.v1");
        await store.AppendAsync("globex", "user-3", "user.email-changed.v1");
        return store;
    }

    private int _count;

    public async Task<AppendResult> AppendAsync(string tenant, string stream, params string[] types)
    {
        var version = await _store.GetStreamVersionAsync(tenant, stream);
        var events = types.Select(type =>
        {
            var n = ++_count;
            return new UncommittedEvent(type, $$"""{"n":{{n}},"stream":"{{stream}}"}""", new EventMetadata
            {
                Timestamp = Start.AddMinutes(n),
                Actor = $"admin-{n}",
                ClientIp = "203.0.113.7",
                UserAgent = "tests/1.0",
                CorrelationId = $"corr-{n}",
                CausationId = n > 1 ? $"cause-{n - 1}" : null,
            });
        }).ToArray();
        return await _store.AppendAsync(new AppendRequest(tenant, stream, ExpectedVersion.At(version), events));
    }

    public async Task ExecuteAsync(string sql, params (string Name, object Value)[] args)
    {
        await using var connection = await Database.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = await Database.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return await cmd.ExecuteScalarAsync();
    }

    public Task<CliRun> RunAsync(params string[] args) => Cli.RunAsync([.. args, "--connection", ConnectionString]);

    public Task<CliRun> RunAsync(IReadOnlyList<IProjection> projections, params string[] args) =>
        Cli.RunAsync([.. args, "--connection", ConnectionString], projections);

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

public static class Cli
{
    public static async Task<CliRun> RunAsync(
        string[] args,
        IReadOnlyList<IProjection>? projections = null,
        IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken ct = default)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr)
        {
            Projections = projections,
            GetEnvironmentVariable = name => environment is not null && environment.TryGetValue(name, out var value) ? value : null,
        };
        var exit = await KoderIdCli.RunAsync(args, context, ct);
        var run = new CliRun(exit, stdout.ToString(), stderr.ToString());
        Assert.DoesNotContain("   at ", run.Stdout + run.Stderr, StringComparison.Ordinal);
        return run;
    }
}
