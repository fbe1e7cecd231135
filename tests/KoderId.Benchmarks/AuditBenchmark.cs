using System.Diagnostics;
using System.Globalization;
using KoderId.Application.Audit;
using KoderId.Events;
using KoderId.Events.Credentials;
using KoderId.Events.Sessions;
using KoderId.Events.Users;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Sqlite;
using KoderId.EventSourcing.Storage;

namespace KoderId.Benchmarks;

/// <summary>
/// Audit replay throughput (issue 6): a SQLite log of N realistic events (the real catalogue, personal fields
/// encrypted under one key per user, 10 events per user: 8 on its stream, 2 on a session), then full replays of the
/// big tenant to JSON lines and ECS, a CSV export of the whole log, one user's replay, an as-of and a chain verify.
/// The output goes to a buffered writer over <see cref="Stream.Null"/>: the numbers are read + filter + decrypt +
/// format, not the disk or the terminal.
/// </summary>
public static class AuditBenchmark
{
    private const int EventsPerUser = 10;
    private const int Writers = 16;

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var events = 200_000;
        for (var i = 1; i < args.Length - 1; i++)
        {
            if (args[i] == "--events")
            {
                events = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
        }

        var folder = Path.Combine(Path.GetTempPath(), "koderid-audit-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            output.WriteLine($"Koder ID audit benchmark — {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
            var database = new SqliteDatabase($"Data Source={Path.Combine(folder, "audit.db")}");
            await database.InitializeAsync();
            await using var store = new SqliteEventStore(database);
            var keys = new SqliteSubjectKeyStore(database);
            var registry = EventCatalog.CreateRegistry();
            var results = new List<BenchResult>();

            var users = events / EventsPerUser;
            var load = Stopwatch.StartNew();
            await GenerateAsync(store, new EventSerializer(registry, keys), users);
            load.Stop();
            var total = (await store.ReadHeadAsync()).Position;
            results.Add(new("sqlite", "generate the log (16 writers, group commit)", total / load.Elapsed.TotalSeconds, "events/s", $"{total:N0} events, {users:N0} users, 2 tenants"));
            output.WriteLine($"generated {total:N0} events in {load.Elapsed.TotalSeconds:N1} s");

            var acme = new AuditReplayQuery { TenantId = "acme" };
            results.Add(await ReplayAsync("full tenant replay to JSON lines", store, registry, keys, acme, AuditFormat.JsonLines, total, output));
            results.Add(await ReplayAsync("full tenant replay to ECS", store, registry, keys, acme, AuditFormat.Ecs, total, output));
            results.Add(await ReplayAsync("whole-log export to CSV", store, registry, keys, new AuditReplayQuery(), AuditFormat.Csv, total, output));
            results.Add(await ReplayAsync("one user's replay (scan, 10 matches)", store, registry, keys, new AuditReplayQuery { TenantId = "acme", Subject = "u-000042" }, AuditFormat.JsonLines, total, output));

            var asOf = Stopwatch.StartNew();
            var account = await new AccountHistory(store, registry, keys).AsOfAsync("acme", "u-000042", DateTimeOffset.UtcNow);
            asOf.Stop();
            results.Add(new("sqlite", "as-of one user (one pass over the log)", total / asOf.Elapsed.TotalSeconds, "events/s", $"{asOf.Elapsed.TotalMilliseconds:N0} ms, status {account.Status}"));

            var verify = Stopwatch.StartNew();
            var chain = await HashChainVerifier.VerifyAsync(store, "acme");
            verify.Stop();
            results.Add(new("sqlite", "verify the chain (tenant scope)", total / verify.Elapsed.TotalSeconds, "events/s", chain.IsValid ? "intact" : "BROKEN"));

            using var self = Process.GetCurrentProcess();
            results.Add(new("sqlite", "process peak working set", self.PeakWorkingSet64 / 1024d / 1024d, "MiB", "generation included"));

            output.WriteLine();
            output.WriteLine("| store | measure | value | unit | note |");
            output.WriteLine("|---|---|---:|---|---|");
            foreach (var r in results)
            {
                output.WriteLine($"| {r.Target} | {r.Measure} | {r.Value.ToString("N0", CultureInfo.InvariantCulture)} | {r.Unit} | {r.Note} |");
            }

            return 0;
        }
        finally
        {
            KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<BenchResult> ReplayAsync(
        string measure, IEventStore store, EventTypeRegistry registry, ISubjectKeyStore keys, AuditReplayQuery query, AuditFormat format, long total, TextWriter output)
    {
        var replayer = new AuditReplayer(store, registry, keys);
        var writer = AuditFormats.CreateWriter(format);
        await using var sink = new StreamWriter(Stream.Null, new System.Text.UTF8Encoding(false), 64 * 1024);
        long emitted = 0;
        var clock = Stopwatch.StartNew();
        writer.WriteHeader(sink);
        await foreach (var record in replayer.ReplayAsync(query))
        {
            writer.Write(sink, record);
            emitted++;
        }

        await sink.FlushAsync();
        clock.Stop();
        output.WriteLine($"{measure}: {emitted:N0} of {total:N0} events in {clock.Elapsed.TotalSeconds:N2} s");
        return new("sqlite", measure, total / clock.Elapsed.TotalSeconds, "events/s scanned", $"{emitted:N0} written ({emitted / clock.Elapsed.TotalSeconds:N0}/s)");
    }

    private static async Task GenerateAsync(IEventStore store, EventSerializer serializer, int users)
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < users)
            {
                var tenant = n % 10 == 9 ? "globex" : "acme";
                var user = $"u-{n:000000}";
                var at = start.AddSeconds(n * 10L);
                EventMetadata Meta(int i) => new()
                {
                    Timestamp = TimeStamps.Truncate(at.AddSeconds(i)),
                    Actor = i < 8 ? "api-key:bench" : $"user:{user}",
                    ClientIp = "198.51.100.7",
                    UserAgent = "Mozilla/5.0 (X11; Linux x86_64) koderid-bench/1.0",
                    CorrelationId = Guid.NewGuid().ToString("N"),
                };
                object[] userEvents =
                [
                    new UserCreated(user, $"user{n}", $"user{n}@example.com", false, "Given", "Family", $"User {n}"),
                    new UserProfileUpdated(user, "Given", "Family", $"User {n} (2)", "+15551234567", "en"),
                    new UserProfileUpdated(user, "Given", "Family", $"User {n} (3)", "+15551234567", "en"),
                    new UserProfileUpdated(user, "Given", "Family", $"User {n} (4)", "+15551234567", "fr"),
                    new UserEmailChanged(user, $"user{n}@corp.example", true),
                    new UserPasswordSet(user, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", false, PasswordSetReasons.Initial),
                    new UserDisabled(user, "bench"),
                    new UserEnabled(user),
                ];
                var serialized = new List<UncommittedEvent>(userEvents.Length);
                for (var i = 0; i < userEvents.Length; i++)
                {
                    serialized.Add(await serializer.SerializeAsync(tenant, userEvents[i], Meta(i)));
                }

                await store.AppendAsync(new AppendRequest(tenant, $"user-{tenant}-{user}", ExpectedVersion.NoStream, serialized));
                var session = $"s-{n:000000}";
                object[] sessionEvents =
                [
                    new SessionStarted(session, user, ["pwd"], at.AddDays(14), "198.51.100.7", "Mozilla/5.0 koderid-bench", "c2VjcmV0LWhhc2g", null, at),
                    new SessionRevoked(session, user, "logout"),
                ];
                var sessionSerialized = new List<UncommittedEvent>(2);
                for (var i = 0; i < sessionEvents.Length; i++)
                {
                    sessionSerialized.Add(await serializer.SerializeAsync(tenant, sessionEvents[i], Meta(8 + i)));
                }

                await store.AppendAsync(new AppendRequest(tenant, $"session-{tenant}-{session}", ExpectedVersion.NoStream, sessionSerialized));
            }
        })));
    }
}
