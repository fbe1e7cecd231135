using System.Diagnostics;
using System.Globalization;
using System.Text;
using KoderId.Application.Common;
using KoderId.Application.Tenants;
using KoderId.Events;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Postgres;
using KoderId.EventSourcing.Sqlite;
using KoderId.EventSourcing.Storage;
using KoderId.Migration.Zitadel.Import;
using KoderId.Migration.Zitadel.Parsing;
using KoderId.Projections;
using KoderId.Testing.Postgres;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Benchmarks;

/// <summary>
/// The Zitadel import of docs/benchmarks.md: a generated export of N users (bcrypt hashes kept as they are: no
/// hashing at import), imported on SQLite and on PostgreSQL as <c>koderid import zitadel</c> does it (the write side's
/// commands, inline projections kept current), then imported again (the idempotent re-run). Prints users/s.
/// </summary>
public static class ImportBenchmark
{
    // One fixed bcrypt string (cost 5): the import stores hashes, it never computes one.
    private const string Hash = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";

    public static async Task<int> RunAsync(string[] args, TextWriter log)
    {
        var users = 100_000;
        var concurrency = 32;
        var breakdown = args.Contains("--breakdown");
        var singleStream = args.Contains("--single-stream");
        string? only = null;
        for (var i = 1; i < args.Length - 1; i++)
        {
            if (args[i] == "--users")
            {
                users = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--only")
            {
                only = args[i + 1];
            }
            else if (args[i] == "--concurrency")
            {
                concurrency = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
        }

        log.WriteLine($"Koder ID import benchmark — {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var folder = Path.Combine(Path.GetTempPath(), "koderid-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var file = Path.Combine(folder, "export.json");
            var generate = Stopwatch.StartNew();
            await WriteExportAsync(file, users);
            log.WriteLine($"generated {users:N0} users in {generate.Elapsed.TotalSeconds:N1} s ({new FileInfo(file).Length / 1024.0 / 1024.0:N1} MiB)");

            var parse = Stopwatch.StartNew();
            IReadOnlyList<ZitadelOrgEntry> entries;
            await using (var stream = File.OpenRead(file))
            {
                entries = await ZitadelExportReader.ReadAsync(stream, CancellationToken.None);
            }

            parse.Stop();
            log.WriteLine($"parsed in {parse.Elapsed.TotalSeconds:N2} s ({users / parse.Elapsed.TotalSeconds:N0} users/s)");

            var results = new List<BenchResult>();
            var succeeded = true;
            if (only is null or "sqlite")
            {
                var database = new SqliteDatabase($"Data Source={Path.Combine(folder, "koderid.db")}");
                await database.InitializeAsync();
                var store = new SqliteEventStore(database, InlineFor(out var serializer, out var projections, new SqliteSubjectKeyStore(database), breakdown, out var keys));
                await using (store)
                {
                    succeeded &= await RunOnAsync("sqlite", singleStream ? new SingleStreamEventStore(store) : store, store, serializer, projections, keys, entries, users, concurrency, breakdown, results, log);
                }
            }

            if (only is null or "postgres")
            {
                // A throwaway durable cluster (fsync=on, synchronous_commit=on) from the installed binaries, or KODERID_TEST_POSTGRES.
                // Npgsql's default pool (100), as a deployment has it, not the test cluster's 20.
                var cluster = await PostgresCluster.StartAsync();
                try
                {
                    var connection = new Npgsql.NpgsqlConnectionStringBuilder(await cluster.CreateDatabaseAsync()) { MaxPoolSize = 100 }.ConnectionString;
                    await using var database = new PostgresDatabase(connection);
                    await database.InitializeAsync();
                    var store = new PostgresEventStore(database, InlineFor(out var serializer, out var projections, new PostgresSubjectKeyStore(database), breakdown, out var keys));
                    await using (store)
                    {
                        succeeded &= await RunOnAsync("postgres", singleStream ? new SingleStreamEventStore(store) : store, store, serializer, projections, keys, entries, users, concurrency, breakdown, results, log);
                    }
                }
                finally
                {
                    Npgsql.NpgsqlConnection.ClearAllPools();
                    await cluster.DisposeAsync();
                }
            }

            results.Add(new("-", "export parse (JsonDocument + mapping)", users / parse.Elapsed.TotalSeconds, "users/s", $"{parse.Elapsed.TotalSeconds:N2} s"));
            log.WriteLine();
            log.WriteLine("| store | measure | value | unit | note |");
            log.WriteLine("|---|---|---:|---|---|");
            foreach (var r in results)
            {
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Target} | {r.Measure} | {r.Value:N0} | {r.Unit} | {r.Note} |"));
            }

            return succeeded ? 0 : 1;
        }
        finally
        {
            KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The serializer, the projections and the inline projector as <c>koderid</c> composes them on a driver's key store.</summary>
    private static InlineProjector InlineFor(
        out EventSerializer serializer, out IReadOnlyList<IProjection> projections, ISubjectKeyStore driverKeys, bool breakdown, out TimedSubjectKeys keys)
    {
        keys = new TimedSubjectKeys(driverKeys);
        serializer = new EventSerializer(EventCatalog.CreateRegistry(), breakdown ? keys : driverKeys);
        projections = ProjectionCatalog.All();
        return new InlineProjector(projections, serializer);
    }

    /// <summary>The first import (a new tenant: the bulk path), then the re-run (everything exists), on one store.</summary>
    private static async Task<bool> RunOnAsync(
        string target,
        IEventStore store,
        IReadModelStore readModels,
        EventSerializer serializer,
        IReadOnlyList<IProjection> projections,
        TimedSubjectKeys keys,
        IReadOnlyList<ZitadelOrgEntry> entries,
        int users,
        int concurrency,
        bool breakdown,
        List<BenchResult> results,
        TextWriter log)
    {
        log.WriteLine($"{target}:");
        await new ProjectionManager(store, readModels, serializer, projections).EnsureAsync();
        var services = new ServiceCollection();
        var timed = new TimedEventStore(store);
        services.AddSingleton<IEventStore>(breakdown ? timed : store);
        services.AddSingleton(serializer);
        services.AddSingleton(new TenantDomainSettings());
        services.AddKoderIdApplication();
        services.AddMediator(o => o.ServiceLifetime = ServiceLifetime.Scoped);
        services.AddSingleton<ZitadelImporter>();
        await using var provider = services.BuildServiceProvider();
        var importer = provider.GetRequiredService<ZitadelImporter>();

        var (first, firstUsers, firstTotal) = await TimedImportAsync(importer, entries, concurrency, log);
        var head = (await store.ReadHeadAsync()).Position;
        if (breakdown)
        {
            // Two batches are in flight, so the parts overlap: the store's share is of the users phase's wall time.
            log.WriteLine($"breakdown (first import): in the store's appends {timed.AppendTime.TotalSeconds:N1} s over {timed.AppendManyCalls:N0} multi-stream appends; " +
                          $"in the subject-key store {keys.Time.TotalSeconds:N1} s; users phase {firstUsers.TotalSeconds:N1} s wall");
        }

        var (second, secondUsers, _) = await TimedImportAsync(importer, entries, concurrency, log);
        var goal = target == "sqlite" ? "; goal >= 5,000" : "";
        var phase = store.SupportsMultiStreamAppend ? "batches of 500 users per atomic append, 2 in flight" : $"one user per append, {concurrency} in flight";
        results.Add(new(target, $"import, users phase ({phase})", users / firstUsers.TotalSeconds, "users/s",
            $"{first.Counts["users"].Created:N0} users created, {head:N0} events in {firstUsers.TotalSeconds:N1} s{goal}"));
        results.Add(new(target, "import, whole run (parse excluded)", users / firstTotal.TotalSeconds, "users/s", $"{firstTotal.TotalSeconds:N1} s incl. tenant, role, grants"));
        results.Add(new(target, "re-run (everything exists)", users / secondUsers.TotalSeconds, "users/s",
            $"{second.Counts["users"].Existing:N0} found, {(await store.ReadHeadAsync()).Position - head} events appended"));
        return first.Succeeded && second.Succeeded;
    }

    private static async Task<(ImportReport Report, TimeSpan Users, TimeSpan Total)> TimedImportAsync(
        ZitadelImporter importer, IReadOnlyList<ZitadelOrgEntry> entries, int concurrency, TextWriter log)
    {
        var total = Stopwatch.StartNew();
        TimeSpan? usersStart = null;
        TimeSpan? usersEnd = null;
        var progress = new Progress(p =>
        {
            if (p.Phase == "users" && p.Done == 0)
            {
                usersStart = total.Elapsed;
            }
            else if (p.Phase == "users" && p.Done == p.Total)
            {
                usersEnd = total.Elapsed;
            }

            if (p.Phase == "users" && p.Done % 20_000 == 0 && p.Done > 0)
            {
                log.WriteLine($"  {p.Done:N0}/{p.Total:N0} users at {total.Elapsed.TotalSeconds:N1} s");
            }
        });
        var report = await importer.ImportAsync(entries, new ImportActor("system:benchmark"), new ZitadelImportOptions(false, progress, concurrency), CancellationToken.None);
        total.Stop();
        log.WriteLine($"import: {total.Elapsed.TotalSeconds:N1} s, users phase {(usersEnd - usersStart)?.TotalSeconds:N1} s, errors {report.Errors.Count}");
        return (report, (usersEnd ?? total.Elapsed) - (usersStart ?? TimeSpan.Zero), total.Elapsed);
    }

    /// <summary>One org: N users (profile, verified email, the bcrypt hash), a project with two roles, every tenth user granted one.</summary>
    private static async Task WriteExportAsync(string file, int users)
    {
        await using var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 16);
        await writer.WriteAsync("""{"orgs":[{"orgId":"190000000000000001","org":{"name":"Bench Corp"},"humanUsers":[""");
        for (var i = 0; i < users; i++)
        {
            var id = (200_000_000_000_000_000L + i).ToString(CultureInfo.InvariantCulture);
            await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                $$$"""{{{(i == 0 ? "" : ",")}}}{"userId":"{{{id}}}","user":{"userName":"user{{{i}}}","profile":{"firstName":"Given{{{i}}}","lastName":"Family","displayName":"User {{{i}}}","preferredLanguage":"en"},"email":{"email":"user{{{i}}}@bench.example","isEmailVerified":true},"hashedPassword":{"value":"{{{Hash}}}"}},"state":"USER_STATE_ACTIVE"}"""));
        }

        await writer.WriteAsync("""],"projects":[{"projectId":"190000000000000002","project":{"name":"App"}}],"projectRoles":[{"projectId":"190000000000000002","roleKey":"admin"},{"projectId":"190000000000000002","roleKey":"user"}],"userGrants":[""");
        for (var i = 0; i < users; i += 10)
        {
            var id = (200_000_000_000_000_000L + i).ToString(CultureInfo.InvariantCulture);
            await writer.WriteAsync($$"""{{(i == 0 ? "" : ",")}}{"userId":"{{id}}","projectId":"190000000000000002","roleKeys":["user"]}""");
        }

        await writer.WriteAsync("]}]}");
    }

    private sealed class Progress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
