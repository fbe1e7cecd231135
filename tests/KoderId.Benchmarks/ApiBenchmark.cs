extern alias server;

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace KoderId.Benchmarks;

/// <summary>
/// The admin REST API numbers of docs/benchmarks.md: the real server (its Program, in this process, on Kestrel
/// and a loopback socket) over real HTTP. Users created per second through <c>POST /v1/users</c> by concurrent
/// clients, then the latency distribution and throughput of <c>GET /v1/users/{id}</c> at 50 concurrent clients.
/// Requests carry a scoped API key (users:read users:write), the path automation takes.
/// </summary>
public static class ApiBenchmark
{
    private const string AdminKey = "bench-admin-key-0123456789abcdef-0123456789";

    public sealed record Settings(int CreateClients = 16, int Users = 4_000, int ReadClients = 50, int ReadSeconds = 10, int WarmUpSeconds = 3);

    public static async Task<List<BenchResult>> RunAsync(string target, string provider, string connectionString, Settings settings, TextWriter log)
    {
        var port = FreePort();
        await using var server = new BenchServer(provider, connectionString);
        server.UseKestrel(port);
        server.StartServer();

        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(settings.CreateClients, settings.ReadClients) + 8,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = false,
        };
        using var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);

        // A tenant key like automation would hold, rather than the configured bootstrap key.
        using (var created = await http.PostAsJsonAsync("v1/admin/api-keys", new { name = "bench", scopes = new[] { "users:read", "users:write" } }))
        {
            await EnsureAsync(created, "creating the benchmark API key");
            var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        var results = new List<BenchResult>();
        var ids = new List<string>();

        log.WriteLine($"[{target}] warm-up: {settings.Users / 10:N0} users...");
        await CreateUsersAsync(http, "warm", settings.Users / 10, settings.CreateClients, ids);

        log.WriteLine($"[{target}] creating {settings.Users:N0} users with {settings.CreateClients} concurrent clients...");
        var create = await CreateUsersAsync(http, "user", settings.Users, settings.CreateClients, ids);
        results.Add(new BenchResult(target, $"POST /v1/users, {settings.CreateClients} concurrent clients", settings.Users / create.Elapsed.TotalSeconds, "users/s",
            $"{settings.Users:N0} users; p50 {Ms(create.Latencies, 0.50)} ms, p99 {Ms(create.Latencies, 0.99)} ms"));

        log.WriteLine($"[{target}] GET /v1/users/{{id}}: {settings.WarmUpSeconds} s warm-up, then {settings.ReadSeconds} s with {settings.ReadClients} concurrent clients...");
        await ReadUsersAsync(http, ids, settings.ReadClients, TimeSpan.FromSeconds(settings.WarmUpSeconds));
        var read = await ReadUsersAsync(http, ids, settings.ReadClients, TimeSpan.FromSeconds(settings.ReadSeconds));
        var measure = $"GET /v1/users/{{id}}, {settings.ReadClients} concurrent clients";
        var note = $"{read.Latencies.Length:N0} requests over {read.Elapsed.TotalSeconds:N1} s, {ids.Count:N0} users";
        results.Add(new BenchResult(target, measure, read.Latencies.Length / read.Elapsed.TotalSeconds, "requests/s", note));
        results.Add(new BenchResult(target, measure + " p50", Micros(read.Latencies, 0.50) / 1000.0, "ms", ""));
        results.Add(new BenchResult(target, measure + " p99", Micros(read.Latencies, 0.99) / 1000.0, "ms", ""));
        results.Add(new BenchResult(target, measure + " p99.9", Micros(read.Latencies, 0.999) / 1000.0, "ms", ""));
        return results;
    }

    private sealed record Run(TimeSpan Elapsed, long[] Latencies);

    private static async Task<Run> CreateUsersAsync(HttpClient http, string prefix, int users, int clients, List<string> ids)
    {
        var next = -1;
        var latencies = new long[users];
        var created = new string[users];
        var batch = Guid.NewGuid().ToString("N")[..8];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < users)
            {
                var username = $"{prefix}-{batch}-{n}";
                var started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsJsonAsync("v1/users", new { username, email = $"{username}@bench.example", displayName = $"Bench {n}" });
                await EnsureAsync(response, "POST /v1/users");
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                latencies[n] = (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                created[n] = body.GetProperty("id").GetString()!;
            }
        })));
        clock.Stop();
        ids.AddRange(created);
        Array.Sort(latencies);
        return new Run(clock.Elapsed, latencies);
    }

    private static async Task<Run> ReadUsersAsync(HttpClient http, List<string> ids, int clients, TimeSpan duration)
    {
        var perClient = new List<long>[clients];
        var clock = Stopwatch.StartNew();
        var end = duration;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var random = new Random(c);
            var mine = perClient[c] = new List<long>(64 * 1024);
            while (clock.Elapsed < end)
            {
                var id = ids[random.Next(ids.Count)];
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(new Uri($"v1/users/{id}", UriKind.Relative), HttpCompletionOption.ResponseContentRead);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    await EnsureAsync(response, "GET /v1/users/{id}");
                }

                mine.Add((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }
        })));
        clock.Stop();
        var all = perClient.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new Run(clock.Elapsed, all);
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {text}");
        }
    }

    /// <summary>Nearest-rank percentile of sorted microsecond latencies.</summary>
    private static double Micros(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Ms(long[] sorted, double p) => (Micros(sorted, p) / 1000.0).ToString("N1", System.Globalization.CultureInfo.InvariantCulture);

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// The server's own Program on Kestrel. Logs at Warning: per-request Information lines to this console would
    /// measure the terminal, not the server.
    /// </summary>
    internal sealed class BenchServer(string provider, string connectionString, string adminKey = AdminKey, IReadOnlyDictionary<string, string?>? extra = null)
        : WebApplicationFactory<server::Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            var settings = new Dictionary<string, string?>
            {
                ["KoderId:Storage:Provider"] = provider,
                ["KoderId:Storage:ConnectionString"] = connectionString,
                ["KoderId:Bootstrap:AdminKey"] = adminKey,

                // Required with PostgreSQL (signing keys are sealed under it); a throwaway one per run.
                ["KoderId:Oidc:KeyEncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
                ["Serilog:MinimumLevel:Default"] = "Warning",
                ["Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime"] = "Warning",
            };
            foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
            {
                settings[key] = value;
            }

            builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
        }
    }
}
