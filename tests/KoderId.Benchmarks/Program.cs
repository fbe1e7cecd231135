using System.Globalization;
using KoderId.Benchmarks;
using KoderId.EventSourcing.Postgres;
using KoderId.EventSourcing.Sqlite;
using KoderId.Testing.Postgres;

// dotnet run -c Release --project tests/KoderId.Benchmarks -- store [--replay-events N] [--only sqlite|postgres]
// dotnet run -c Release --project tests/KoderId.Benchmarks -- api [--users N] [--seconds S] [--only sqlite|postgres]
// dotnet run -c Release --project tests/KoderId.Benchmarks -- oidc [--seconds S] [--connections N] [--login-connections N] [--warmup S] [--only koderid|peer]
//     [--scenarios cc,introspect,introspect-refresh,jwks,refresh,login]
// dotnet run -c Release --project tests/KoderId.Benchmarks -- audit [--events N]
// dotnet run -c Release --project tests/KoderId.Benchmarks -- import [--users N] [--concurrency C] [--only sqlite|postgres] [--breakdown] [--single-stream]
// dotnet run -c Release --project tests/KoderId.Benchmarks -- flows [--clients N] [--seconds S] [--users N]
// dotnet <KoderId.Benchmarks.dll> replay <target> <connection>   (child process used by "store")
var targets = Targets.All();
if (args is ["replay", var name, var connection])
{
    return await StoreBenchmark.ReplayChildAsync(targets.Single(t => t.Name == name).Open(connection));
}

if (args.Length > 0 && args[0] == "audit")
{
    return await AuditBenchmark.RunAsync(args, Console.Out);
}

if (args is ["import", ..])
{
    return await KoderId.Benchmarks.ImportBenchmark.RunAsync(args, Console.Out);
}

if (args.Length == 0 || args[0] is not ("store" or "api" or "oidc" or "flows"))
{
    Console.Error.WriteLine("usage: KoderId.Benchmarks store [--replay-events N] [--only sqlite|postgres]");
    Console.Error.WriteLine("       KoderId.Benchmarks audit [--events N]");
    Console.Error.WriteLine("       KoderId.Benchmarks api [--users N] [--seconds S] [--only sqlite|postgres]");
    Console.Error.WriteLine("       KoderId.Benchmarks oidc [--seconds S] [--connections N] [--login-connections N] [--warmup S] [--only koderid|peer]");
    Console.Error.WriteLine("            [--scenarios cc,introspect,introspect-refresh,jwks,refresh,login]");
    Console.Error.WriteLine("       KoderId.Benchmarks import [--users N] [--concurrency C] [--only sqlite|postgres] [--breakdown] [--single-stream]");
    Console.Error.WriteLine("       KoderId.Benchmarks flows [--clients N] [--seconds S] [--users N]");
    return 2;
}

if (args[0] == "oidc")
{
    var oidc = new OidcBenchmark.Settings();
    for (var i = 1; i < args.Length - 1; i++)
    {
        var value = args[i + 1];
        oidc = args[i] switch
        {
            "--seconds" => oidc with { Seconds = int.Parse(value, CultureInfo.InvariantCulture) },
            "--warmup" => oidc with { WarmUpSeconds = int.Parse(value, CultureInfo.InvariantCulture) },
            "--connections" => oidc with { Connections = int.Parse(value, CultureInfo.InvariantCulture) },
            "--login-connections" => oidc with { LoginConnections = int.Parse(value, CultureInfo.InvariantCulture) },
            "--only" => oidc with { Only = value },
            "--scenarios" => oidc with { Scenarios = value },
            _ => oidc,
        };
    }

    // WebApplicationFactory finds the server's content root from the working directory (see ApiMode).
    Directory.SetCurrentDirectory(AppContext.BaseDirectory);
    return await OidcBenchmark.RunAsync(oidc, Console.Out);
}

if (args[0] == "flows")
{
    var flows = new FlowsBenchmark.Settings();
    for (var i = 1; i < args.Length - 1; i++)
    {
        int Value() => int.Parse(args[i + 1], CultureInfo.InvariantCulture);
        flows = args[i] switch
        {
            "--clients" => flows with { Clients = Value() },
            "--seconds" => flows with { Seconds = Value() },
            "--users" => flows with { Users = Value() },
            _ => flows,
        };
    }

    Directory.SetCurrentDirectory(AppContext.BaseDirectory);
    Console.WriteLine($"Koder ID flows benchmark — {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    var folder = Path.Combine(Path.GetTempPath(), "koderid-bench-flows", Guid.NewGuid().ToString("N"));
    Directory.CreateDirectory(folder);
    List<BenchResult> flowResults;
    try
    {
        flowResults = await FlowsBenchmark.RunAsync($"Data Source={Path.Combine(folder, "koderid.db")}", flows, Console.Out);
    }
    finally
    {
        KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    Console.WriteLine();
    Console.WriteLine("| store | measure | value | unit | note |");
    Console.WriteLine("|---|---|---:|---|---|");
    foreach (var r in flowResults)
    {
        Console.WriteLine($"| {r.Target} | {r.Measure} | {r.Value.ToString("N1", CultureInfo.InvariantCulture)} | {r.Unit} | {r.Note} |");
    }

    return 0;
}

if (args[0] == "api")
{
    return await ApiMode.RunAsync(args);
}

var replayEvents = 1_000_000;
string? only = null;
for (var i = 1; i < args.Length - 1; i++)
{
    if (args[i] == "--replay-events")
    {
        replayEvents = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    }
    else if (args[i] == "--only")
    {
        only = args[i + 1];
    }
}

Console.WriteLine($"Koder ID store benchmark — {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
var results = new List<BenchResult>();
foreach (var target in targets.Where(t => only is null || t.Name == only))
{
    results.AddRange(await StoreBenchmark.RunAsync(target, replayEvents, Console.Out));
}

Console.WriteLine();
Console.WriteLine("| store | measure | value | unit | note |");
Console.WriteLine("|---|---|---:|---|---|");
foreach (var r in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Target} | {r.Measure} | {r.Value:N0} | {r.Unit} | {r.Note} |"));
}

await Targets.DisposeAsync();
return results.Any(r => r.Note.Contains("MISSED", StringComparison.Ordinal)) ? 1 : 0;

internal static class Targets
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "koderid-bench", Guid.NewGuid().ToString("N"));
    private static PostgresCluster? _cluster;

    public static IReadOnlyList<BenchTarget> All() =>
    [
        new BenchTarget(
            "sqlite",
            () =>
            {
                Directory.CreateDirectory(Folder);
                return Task.FromResult($"Data Source={Path.Combine(Folder, $"bench-{Guid.NewGuid():N}.db")}");
            },
            connection =>
            {
                var database = new SqliteDatabase(connection);
                var store = new SqliteEventStore(database);
                return new OpenedStore(store, store, new SqliteSubjectKeyStore(database), store.DisposeAsync);
            }),
        new BenchTarget(
            "postgres",
            async () =>
            {
                // A throwaway durable cluster (fsync=on) from the installed binaries, or KODERID_TEST_POSTGRES.
                _cluster ??= await PostgresCluster.StartAsync();
                return await _cluster.CreateDatabaseAsync();
            },
            connection =>
            {
                var database = new PostgresDatabase(connection);
                var store = new PostgresEventStore(database);
                return new OpenedStore(store, store, new PostgresSubjectKeyStore(database), async () =>
                {
                    await store.DisposeAsync();
                    await database.DisposeAsync();
                });
            }),
    ];

    public static async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await _cluster.DisposeAsync();
        }

        KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}

internal static class ApiMode
{
    public static async Task<int> RunAsync(string[] args)
    {
        var settings = new ApiBenchmark.Settings();
        string? only = null;
        for (var i = 1; i < args.Length - 1; i++)
        {
            switch (args[i])
            {
                case "--users":
                    settings = settings with { Users = int.Parse(args[i + 1], CultureInfo.InvariantCulture) };
                    break;
                case "--seconds":
                    settings = settings with { ReadSeconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture) };
                    break;
                case "--only":
                    only = args[i + 1];
                    break;
            }
        }

        // WebApplicationFactory finds the server's content root through MvcTestingAppManifest.json, looked up from the
        // working directory; `dotnet run --project` keeps the caller's, so run from the output folder (paths here are absolute).
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);
        Console.WriteLine($"Koder ID API benchmark — {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var folder = Path.Combine(Path.GetTempPath(), "koderid-bench-api", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var results = new List<BenchResult>();
        PostgresCluster? cluster = null;
        try
        {
            if (only is null or "sqlite")
            {
                results.AddRange(await ApiBenchmark.RunAsync("sqlite", "sqlite", $"Data Source={Path.Combine(folder, "koderid.db")}", settings, Console.Out));
            }

            if (only is null or "postgres")
            {
                cluster = await PostgresCluster.StartAsync();
                results.AddRange(await ApiBenchmark.RunAsync("postgres", "postgres", await cluster.CreateDatabaseAsync(), settings, Console.Out));
            }
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }

            KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }

        Console.WriteLine();
        Console.WriteLine("| store | measure | value | unit | note |");
        Console.WriteLine("|---|---|---:|---|---|");
        foreach (var r in results)
        {
            var value = r.Unit == "ms" ? r.Value.ToString("N2", CultureInfo.InvariantCulture) : r.Value.ToString("N0", CultureInfo.InvariantCulture);
            Console.WriteLine($"| {r.Target} | {r.Measure} | {value} | {r.Unit} | {r.Note} |");
        }

        return 0;
    }
}
