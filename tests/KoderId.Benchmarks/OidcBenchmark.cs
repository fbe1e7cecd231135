using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace KoderId.Benchmarks;

/// <summary>
/// The OIDC side-by-side numbers of docs/benchmarks.md: Koder ID (its Program, in this process, on Kestrel, SQLite in
/// a temp file) against the <c>oidc-provider</c> npm package (<c>Peers/oidc-provider/provider.mjs</c>, its own Node.js
/// process) configured the same way, both on loopback of the same machine. Every scenario is driven by the same
/// <c>Peers/oidc-provider/load.mjs</c> (autocannon, or N undici loops for the multi-step ones) with the same
/// connections and duration after the same warm-up, one server at a time while the other idles.
/// </summary>
public static class OidcBenchmark
{
    public sealed record Settings(int Seconds = 10, int WarmUpSeconds = 5, int Connections = 50, int LoginConnections = 4, string? Only = null, string? Scenarios = null);

    private const string AdminKey = "bench-oidc-admin-key-0123456789abcdef-01234";
    private const string RedirectUri = "https://rp.bench.example/callback";
    private const string Username = "bench-user";
    private const string Password = "Bench-oidc-pass-7319-kestrel";
    private const string CcScope = "api:read";
    private const string KoderId = "Koder ID";
    private const string Peer = "oidc-provider";

    /// <summary>A server under test: its issuer and the credentials load.mjs needs.</summary>
    private sealed record Target(string Name, string Issuer, string CcClient, string CodeClient);

    /// <summary>One row: a load.mjs scenario, with the introspected token kind per server where they differ.</summary>
    private sealed record Scenario(string Key, string Name, string Title, string Unit, bool Login, string KoderIntrospect = "access", string PeerIntrospect = "refresh");

    public sealed record LoadResult(string Server, double Rps, long Requests, double P50, double P99, long Failures, string Note, string? Failed);

    private static readonly Scenario[] Scenarios =
    [
        new("cc", "cc", "client_credentials tokens", "tokens/s", Login: false),
        new("introspect", "introspect", "introspections (Koder ID: user JWT access token; oidc-provider: its refresh token)", "introspections/s", Login: false),
        new("introspect-refresh", "introspect", "introspections of a refresh token (both)", "introspections/s", Login: false, KoderIntrospect: "refresh"),
        new("jwks", "jwks", "JWKS", "responses/s", Login: false),
        new("refresh", "refresh", "refresh grants (rotating)", "grants/s", Login: false),
        new("login", "login", "complete authorization-code logins", "logins/s", Login: true),
    ];

    public static async Task<int> RunAsync(Settings settings, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        var peerFolder = FindPeerFolder();
        log.WriteLine($"Koder ID OIDC benchmark — {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, node {await NodeVersionAsync(peerFolder)}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        log.WriteLine($"load average at start: {LoadAverage()}; Koder ID in this process with {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC");
        await EnsureNodeModulesAsync(peerFolder, log);

        var folder = Path.Combine(Path.GetTempPath(), "koderid-bench-oidc", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        ApiBenchmark.BenchServer? koder = null;
        Process? peer = null;
        var targets = new List<Target>();
        var missing = new Dictionary<string, string>();
        try
        {
            if (settings.Only is null or "koderid")
            {
                var port = ApiBenchmark.FreePort();
                koder = new ApiBenchmark.BenchServer("sqlite", $"Data Source={Path.Combine(folder, "koderid.db")}", AdminKey, new Dictionary<string, string?>
                {
                    ["KoderId:Oidc:KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                });
                koder.UseKestrel(port);
                koder.StartServer();
                try
                {
                    targets.Add(await SetUpKoderIdAsync(port, log));
                }
                catch (Exception e) when (e is InvalidOperationException or HttpRequestException or JsonException or KeyNotFoundException)
                {
                    missing[KoderId] = e.Message;
                    log.WriteLine($"[{KoderId}] not measured: {e.Message}");
                }
            }

            if (settings.Only is null or "peer")
            {
                var port = ApiBenchmark.FreePort();
                peer = await StartPeerAsync(peerFolder, port, log);
                targets.Add(new Target(Peer, $"http://127.0.0.1:{port}",
                    "bench-cc:bench-cc-secret-0123456789abcdef0123456789abcdef", "bench-web:bench-web-secret-0123456789abcdef0123456789abcdef"));
            }

            var results = new List<(Scenario Scenario, int Connections, LoadResult? Koder, LoadResult? Peer)>();
            var chosen = settings.Scenarios?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var scenarios = Scenarios.Where(s => chosen is null || chosen.Contains(s.Key)).ToArray();

            // JIT tiering (.NET and V8) under load on two cores takes well over one scenario's warm-up: the first
            // pass runs every scenario against every server once, unrecorded, so the measured pass sees hot code.
            log.WriteLine($"warm-up pass: every scenario {settings.WarmUpSeconds} s against each server, not recorded...");
            foreach (var scenario in scenarios)
            {
                foreach (var target in targets)
                {
                    var kind = target.Name == KoderId ? scenario.KoderIntrospect : scenario.PeerIntrospect;
                    var warm = await RunLoadAsync(peerFolder, target, scenario.Name, kind, ConnectionsFor(scenario, settings), settings with { Seconds = settings.WarmUpSeconds, WarmUpSeconds = 0 });
                    if (warm.Failed is not null)
                    {
                        log.WriteLine($"[{target.Name}]   warm-up of {scenario.Key} failed: {warm.Failed}");
                    }
                }
            }

            foreach (var scenario in scenarios)
            {
                var connections = ConnectionsFor(scenario, settings);
                LoadResult? k = null, p = null;
                foreach (var target in targets)
                {
                    var kind = target.Name == KoderId ? scenario.KoderIntrospect : scenario.PeerIntrospect;
                    log.WriteLine($"[{target.Name}] {scenario.Title}: {settings.WarmUpSeconds} s warm-up, {settings.Seconds} s with {connections} connections...");
                    var result = await RunLoadAsync(peerFolder, target, scenario.Name, kind, connections, settings);
                    log.WriteLine(result.Failed is null
                        ? string.Create(CultureInfo.InvariantCulture, $"[{target.Name}]   {result.Rps:N0}/s, p50 {result.P50:N2} ms, p99 {result.P99:N2} ms, failures {result.Failures}; {result.Note}")
                        : $"[{target.Name}]   FAILED: {result.Failed}");
                    if (target.Name == KoderId)
                    {
                        k = result;
                    }
                    else
                    {
                        p = result;
                    }
                }

                results.Add((scenario, connections, k, p));
            }

            log.WriteLine($"load average at end: {LoadAverage()}");
            log.WriteLine();
            log.WriteLine($"| measure | connections | {KoderId} | p50 / p99 ms | {Peer} | p50 / p99 ms | {KoderId} ÷ {Peer} |");
            log.WriteLine("|---|---:|---:|---|---:|---|---:|");
            foreach (var (scenario, connections, k, p) in results)
            {
                var ratio = k is { Failed: null } && p is { Failed: null, Rps: > 0 } ? (k.Rps / p.Rps).ToString("N2", CultureInfo.InvariantCulture) + "×" : "–";
                log.WriteLine($"| {scenario.Title}, {scenario.Unit} | {connections} | {Cell(k, missing.GetValueOrDefault(KoderId))} | {Latency(k)} | {Cell(p, missing.GetValueOrDefault(Peer))} | {Latency(p)} | {ratio} |");
            }

            log.WriteLine();
            foreach (var (scenario, _, k, p) in results)
            {
                foreach (var r in new[] { k, p }.OfType<LoadResult>())
                {
                    log.WriteLine($"- {scenario.Title}, {r.Server}: {r.Note}{(r.Failures > 0 ? $"; {r.Failures} failed requests" : "")}{(r.Failed is null ? "" : $"; FAILED {r.Failed}")}");
                }
            }

            var cc = results.FirstOrDefault(r => r.Scenario.Key == "cc");
            var introspect = results.FirstOrDefault(r => r.Scenario.Key == "introspect");
            log.WriteLine();
            log.WriteLine("| bar | measured |");
            log.WriteLine("|---|---|");
            log.WriteLine($"| client_credentials ≥ 5,000 tokens/s | {Cell(cc.Koder, missing.GetValueOrDefault(KoderId))} |");
            log.WriteLine($"| client_credentials ≥ 2× oidc-provider | {(cc.Koder is { Failed: null } && cc.Peer is { Failed: null, Rps: > 0 } ? (cc.Koder.Rps / cc.Peer.Rps).ToString("N2", CultureInfo.InvariantCulture) + "×" : "–")} |");
            log.WriteLine($"| introspection ≥ 8,000/s | {Cell(introspect.Koder, missing.GetValueOrDefault(KoderId))} |");
            return results.Any(r => r.Koder?.Failed is not null || r.Peer?.Failed is not null) ? 1 : 0;
        }
        finally
        {
            if (peer is not null)
            {
                peer.Kill(entireProcessTree: true);
                await peer.WaitForExitAsync();
                peer.Dispose();
            }

            if (koder is not null)
            {
                await koder.DisposeAsync();
            }

            global::KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Logins are bounded by password hashing: Koder ID's hashing gate admits 2 × cores and sheds the rest (503).</summary>
    private static int ConnectionsFor(Scenario scenario, Settings settings) =>
        scenario.Login ? Math.Min(settings.LoginConnections, settings.Connections) : settings.Connections;

    private static string Cell(LoadResult? r, string? missing) => r switch
    {
        null => missing is null ? "–" : "not available",
        { Failed: not null } => "failed",
        _ => r.Rps.ToString("N0", CultureInfo.InvariantCulture) + (r.Failures > 0 ? $" ({r.Failures:N0} failed)" : ""),
    };

    private static string Latency(LoadResult? r) =>
        r is { Failed: null } ? string.Create(CultureInfo.InvariantCulture, $"{r.P50:N2} / {r.P99:N2}") : "–";

    /// <summary>
    /// The Koder ID side: its discovery document must answer, then through the admin API a client_credentials
    /// client, a first-party code-flow client with refresh tokens (PKCE required) and one user with a password.
    /// </summary>
    private static async Task<Target> SetUpKoderIdAsync(int port, TextWriter log)
    {
        var issuer = $"http://127.0.0.1:{port}";
        using var http = new HttpClient { BaseAddress = new Uri(issuer + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);

        using (var discovery = await http.GetAsync(new Uri(".well-known/openid-configuration", UriKind.Relative)))
        {
            if (discovery.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"discovery answered {(int)discovery.StatusCode}: the OIDC endpoints are not in this build");
            }
        }

        var cc = await CreateClientAsync(http, new
        {
            name = "bench client_credentials",
            grantTypes = new[] { "client_credentials" },
            responseTypes = Array.Empty<string>(),
            redirectUris = Array.Empty<string>(),
            scopes = new[] { CcScope },
            tokenEndpointAuthMethod = "client_secret_basic",
        });
        var web = await CreateClientAsync(http, new
        {
            name = "bench web",
            redirectUris = new[] { RedirectUri },
            grantTypes = new[] { "authorization_code", "refresh_token" },
            responseTypes = new[] { "code" },
            scopes = new[] { "openid", "offline_access" },
            tokenEndpointAuthMethod = "client_secret_basic",
            firstParty = true,
            requirePkce = true,
            idTokenSignedResponseAlg = "RS256",
        });

        using var user = await http.PostAsJsonAsync("v1/users", new { username = Username, email = $"{Username}@bench.example", displayName = "Bench User" });
        await EnsureAsync(user, "POST /v1/users");
        var id = (await user.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var password = await http.PutAsJsonAsync($"v1/users/{id}/password", new { password = Password });
        await EnsureAsync(password, "PUT /v1/users/{id}/password");
        log.WriteLine($"[{KoderId}] {issuer}: clients {cc.Split(':')[0]} (client_credentials) and {web.Split(':')[0]} (code + refresh), user {Username}");
        return new Target(KoderId, issuer, cc, web);
    }

    /// <summary>Creates a client; returns "id:secret".</summary>
    private static async Task<string> CreateClientAsync(HttpClient http, object body)
    {
        using var response = await http.PostAsJsonAsync("v1/admin/clients", body);
        await EnsureAsync(response, "POST /v1/admin/clients");
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return $"{created.GetProperty("client").GetProperty("id").GetString()}:{created.GetProperty("clientSecret").GetString()}";
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task<Process> StartPeerAsync(string peerFolder, int port, TextWriter log)
    {
        var info = new ProcessStartInfo("node") { WorkingDirectory = peerFolder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "provider.mjs", "--port", port.ToString(CultureInfo.InvariantCulture), "--username", Username, "--password", Password, "--redirect-uri", RedirectUri })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("ready", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            // oidc-provider's start-up warnings (in-memory adapter, Node.js 20) are expected here.
            if (e.Data is { Length: > 0 } line && !line.Contains("WARNING", StringComparison.Ordinal))
            {
                log.WriteLine($"[{Peer}] {line}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (started != ready.Task)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            throw new InvalidOperationException("provider.mjs did not report ready");
        }

        log.WriteLine($"[{Peer}] http://127.0.0.1:{port} (node provider.mjs, pid {process.Id})");
        return process;
    }

    private static async Task<LoadResult> RunLoadAsync(string peerFolder, Target target, string scenario, string introspect, int connections, Settings settings)
    {
        var info = new ProcessStartInfo("node") { WorkingDirectory = peerFolder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] args =
        [
            "load.mjs", "--issuer", target.Issuer, "--scenario", scenario, "--introspect", introspect,
            "--connections", connections.ToString(CultureInfo.InvariantCulture),
            "--seconds", settings.Seconds.ToString(CultureInfo.InvariantCulture),
            "--warmup", settings.WarmUpSeconds.ToString(CultureInfo.InvariantCulture),
            "--cc-client", target.CcClient, "--cc-scope", CcScope, "--code-client", target.CodeClient,
            "--redirect-uri", RedirectUri, "--username", Username, "--password", Password,
        ];
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = (await stdout).Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (line is null)
        {
            return new LoadResult(target.Name, 0, 0, 0, 0, 0, "", $"load.mjs exited {process.ExitCode} without a result: {(await stderr).Trim()}");
        }

        var json = JsonDocument.Parse(line["RESULT ".Length..]).RootElement;
        if (json.TryGetProperty("failed", out var failed))
        {
            return new LoadResult(target.Name, 0, 0, 0, 0, 0, "", failed.GetString());
        }

        var failures = json.GetProperty("non2xx").GetInt64() + json.GetProperty("errors").GetInt64();
        var note = json.TryGetProperty("note", out var n) ? n.GetString() ?? "" : "";
        if (failures > 0 && json.TryGetProperty("firstFailure", out var first))
        {
            note += $"; first failure: {first.GetString()}";
        }

        return new LoadResult(target.Name, json.GetProperty("rps").GetDouble(), json.GetProperty("requests").GetInt64(),
            json.GetProperty("p50").GetDouble(), json.GetProperty("p99").GetDouble(), failures, note, null);
    }

    /// <summary>The peer folder in the source tree (node_modules is installed there, never copied to the output).</summary>
    private static string FindPeerFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "Peers", "oidc-provider");
            if (File.Exists(Path.Combine(candidate, "provider.mjs")))
            {
                return candidate;
            }

            candidate = Path.Combine(dir.FullName, "tests", "KoderId.Benchmarks", "Peers", "oidc-provider");
            if (File.Exists(Path.Combine(candidate, "provider.mjs")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("tests/KoderId.Benchmarks/Peers/oidc-provider not found above " + AppContext.BaseDirectory);
    }

    private static async Task EnsureNodeModulesAsync(string peerFolder, TextWriter log)
    {
        if (Directory.Exists(Path.Combine(peerFolder, "node_modules")))
        {
            return;
        }

        log.WriteLine($"npm ci in {peerFolder}...");
        var info = new ProcessStartInfo("npm") { WorkingDirectory = peerFolder, UseShellExecute = false };
        foreach (var arg in new[] { "ci", "--no-audit", "--no-fund" })
        {
            info.ArgumentList.Add(arg);
        }

        using var npm = Process.Start(info) ?? throw new InvalidOperationException("npm did not start");
        await npm.WaitForExitAsync();
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci exited {npm.ExitCode}");
        }
    }

    private static async Task<string> NodeVersionAsync(string peerFolder)
    {
        var info = new ProcessStartInfo("node", "--version") { WorkingDirectory = peerFolder, RedirectStandardOutput = true, UseShellExecute = false };
        using var node = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var version = (await node.StandardOutput.ReadToEndAsync()).Trim();
        await node.WaitForExitAsync();
        return version;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
