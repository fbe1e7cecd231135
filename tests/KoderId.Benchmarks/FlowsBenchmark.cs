using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KoderId.Application.Credentials;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Benchmarks;

/// <summary>
/// Password logins per second through <c>/v1/auth/flows</c> (issue 5, docs/benchmarks.md): the real server on Kestrel
/// and SQLite, N concurrent clients each looping start flow → answer the password step → session, against the
/// hash-bound limit <c>cores ÷ one Argon2id verification</c> measured in the same process just before. A 503 from the
/// hashing gate (past 2 × cores hashes in flight) is retried after a short pause and counted, not a failure.
/// </summary>
public static class FlowsBenchmark
{
    private const string Password = "correct horse battery staple 42";

    public sealed record Settings(int Clients = 32, int Users = 64, int Seconds = 20, int WarmUpSeconds = 5, int HashSamples = 30);

    public static async Task<List<BenchResult>> RunAsync(string connectionString, Settings settings, TextWriter log)
    {
        var port = ApiBenchmark.FreePort();
        await using var server = new ApiBenchmark.BenchServer("sqlite", connectionString);
        server.UseKestrel(port);
        server.StartServer();
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = settings.Clients + 8,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        };
        using var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "bench-admin-key-0123456789abcdef-0123456789");

        // The hash-bound limit: one verification at the default tenant's cost, measured here on the same hasher.
        var hashing = server.Services.GetRequiredService<PasswordHashingService>();
        var policy = PasswordHashingPolicy.Default;
        var stored = hashing.Hasher.Hash(Password, policy);
        var samples = new double[settings.HashSamples];
        for (var i = 0; i < samples.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            hashing.Hasher.Verify(Password, stored);
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(samples);
        var hashMs = samples[samples.Length / 2];
        var limit = Environment.ProcessorCount * 1000.0 / hashMs;
        log.WriteLine($"[flows] one Argon2id verification (m={policy.MemoryKiB} KiB, t={policy.Iterations}, p={policy.Parallelism}): median {hashMs:N1} ms of {samples.Length} → hash-bound limit {limit:N1} logins/s on {Environment.ProcessorCount} cores");

        log.WriteLine($"[flows] creating {settings.Users} users with passwords...");
        var usernames = new List<string>();
        for (var i = 0; i < settings.Users; i++)
        {
            var username = $"flow-{i}";
            using var created = await http.PostAsJsonAsync("v1/users", new { username });
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
            using var set = await http.PutAsJsonAsync($"v1/users/{id}/password", new { password = Password });
            if (set.StatusCode != HttpStatusCode.NoContent)
            {
                throw new InvalidOperationException($"setting a password answered {(int)set.StatusCode}");
            }

            usernames.Add(username);
        }

        http.DefaultRequestHeaders.Authorization = null;
        log.WriteLine($"[flows] {settings.WarmUpSeconds} s warm-up, then {settings.Seconds} s with {settings.Clients} concurrent clients...");
        await LoginsAsync(http, usernames, settings.Clients, TimeSpan.FromSeconds(settings.WarmUpSeconds));
        var peakBefore = Process.GetCurrentProcess().PeakWorkingSet64;
        var run = await LoginsAsync(http, usernames, settings.Clients, TimeSpan.FromSeconds(settings.Seconds));
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var peak = self.PeakWorkingSet64;

        var rate = run.Logins / run.Elapsed.TotalSeconds;
        var note = $"{run.Logins:N0} logins in {run.Elapsed.TotalSeconds:N1} s, {run.Busy:N0} 503 retries, {run.Failures} failures; p50 {Percentile(run.Latencies, 0.5):N0} ms, p99 {Percentile(run.Latencies, 0.99):N0} ms";
        return
        [
            new BenchResult("sqlite", $"password logins through /v1/auth/flows, {settings.Clients} concurrent clients", rate, "logins/s", note),
            new BenchResult("sqlite", "hash-bound limit (cores ÷ one Argon2id verification)", limit, "logins/s", $"{Environment.ProcessorCount} cores, {hashMs:N1} ms per verification (median of {samples.Length})"),
            new BenchResult("sqlite", "achieved share of the hash-bound limit", 100 * rate / limit, "%", ""),
            new BenchResult("sqlite", "process peak working set", peak / (1024.0 * 1024.0), "MiB", $"server and load generator in one process; {peakBefore / (1024.0 * 1024.0):N0} MiB before the measured run"),
        ];
    }

    private sealed record Run(TimeSpan Elapsed, long Logins, long Busy, long Failures, double[] Latencies);

    private static async Task<Run> LoginsAsync(HttpClient http, List<string> usernames, int clients, TimeSpan duration)
    {
        long logins = 0, busy = 0, failures = 0;
        var latencies = new List<double>[clients];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = latencies[c] = [];
            var n = c;
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                var username = usernames[n++ % usernames.Count];
                using var start = await PostAsync(http, "v1/auth/flows", $$"""{"username":"{{username}}"}""");
                if (start.StatusCode != HttpStatusCode.Created)
                {
                    Interlocked.Increment(ref failures);
                    continue;
                }

                var id = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
                while (true)
                {
                    using var answer = await PostAsync(http, $"v1/auth/flows/{id}/password", $$"""{"password":"{{Password}}"}""");
                    if (answer.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        // The hashing gate shed this one: the flow is untouched, try the same answer again shortly.
                        Interlocked.Increment(ref busy);
                        await Task.Delay(20);
                        continue;
                    }

                    if (answer.StatusCode == HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref logins);
                        mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                    else
                    {
                        Interlocked.Increment(ref failures);
                    }

                    break;
                }
            }
        })));
        clock.Stop();
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new Run(clock.Elapsed, logins, busy, failures, all);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string path, string json) =>
        http.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
