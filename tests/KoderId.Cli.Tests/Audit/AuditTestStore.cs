using System.Text.Json;
using KoderId.EventSourcing.Sqlite;
using KoderId.Testing.Audit;

namespace KoderId.Cli.Tests.Audit;

/// <summary>A SQLite store holding the <see cref="ScriptedHistory"/>, and the CLI run against it.</summary>
public sealed class AuditTestStore : IAsyncDisposable
{
    private readonly TestStore _store;

    private AuditTestStore(TestStore store) => _store = store;

    public TestStore Store => _store;

    public static async Task<AuditTestStore> CreateAsync(bool erase = true)
    {
        var store = await TestStore.CreateAsync();
        await new ScriptedHistory(store.Store, new SqliteSubjectKeyStore(store.Database)).WriteAsync(erase);
        return new AuditTestStore(store);
    }

    public Task<CliRun> RunAsync(params string[] args) => _store.RunAsync(args);

    /// <summary>Runs a replay with --format jsonl and parses every line.</summary>
    public async Task<JsonElement[]> ReplayAsync(params string[] args)
    {
        var run = await RunAsync(["audit", "replay", "--tenant", ScriptedHistory.Acme, "--format", "jsonl", .. args]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Stderr);
        return run.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
    }

    public async Task<JsonElement> AsOfAsync(string time, string user, string tenant = ScriptedHistory.Acme)
    {
        var run = await RunAsync("audit", "as-of", time, "user", user, "--tenant", tenant, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonDocument.Parse(run.Stdout).RootElement.Clone();
    }

    public ValueTask DisposeAsync() => _store.DisposeAsync();
}
