using System.Text.Json;
using KoderId.EventSourcing.Projections;

namespace KoderId.Cli.Tests;

public sealed class ProjectionsTests
{
    private static readonly IProjection[] Projections = [new EventCountsProjection()];

    [Fact]
    public async Task list_shows_an_unbuilt_projection_lagging_the_head()
    {
        await using var store = await TestStore.CreateSeededAsync();

        var json = await store.RunAsync(Projections, "projections", "list", "--json");
        var table = await store.RunAsync(Projections, "projections", "list");

        Assert.True(json.ExitCode == 0, json.ToString());
        var p = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("projections").EnumerateArray().Single();
        Assert.Equal("event-counts", p.GetProperty("name").GetString());
        Assert.Equal("async", p.GetProperty("lifecycle").GetString());
        Assert.Equal(1, p.GetProperty("codeVersion").GetInt32());
        Assert.Equal(JsonValueKind.Null, p.GetProperty("builtVersion").ValueKind);
        Assert.Equal(0, p.GetProperty("position").GetInt64());
        Assert.Equal(6, p.GetProperty("head").GetInt64());
        Assert.Equal(6, p.GetProperty("lag").GetInt64());
        Assert.Equal("not built", p.GetProperty("state").GetString());

        Assert.Equal(0, table.ExitCode);
        foreach (var header in new[] { "Name", "Lifecycle", "Code version", "Built version", "Position", "Head", "Lag", "Tables" })
        {
            Assert.Contains(header, table.Stdout);
        }

        Assert.Contains("event-counts", table.Stdout);
        Assert.Contains("not built", table.Stdout);
    }

    [Fact]
    public async Task rebuild_fills_the_projection_and_list_then_shows_it_current()
    {
        await using var store = await TestStore.CreateSeededAsync();

        var rebuild = await store.RunAsync(Projections, "projections", "rebuild", "event-counts");
        var list = await store.RunAsync(Projections, "projections", "list", "--json");

        Assert.True(rebuild.ExitCode == 0, rebuild.ToString());
        Assert.Matches(@"Rebuilt event-counts: 6 events in [\d.]+ s \([\d,]+ events/s\)", rebuild.Stdout);
        Assert.Equal(3L, await store.ScalarAsync("SELECT n FROM event_counts_v1 WHERE event_type = 'user.created.v1'"));
        var p = JsonDocument.Parse(list.Stdout).RootElement.GetProperty("projections")[0];
        Assert.Equal(1, p.GetProperty("builtVersion").GetInt32());
        Assert.Equal(6, p.GetProperty("position").GetInt64());
        Assert.Equal(0, p.GetProperty("lag").GetInt64());
        Assert.Equal("current", p.GetProperty("state").GetString());
        Assert.Equal(["event_counts_v1"], p.GetProperty("tables").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task rebuild_json_reports_events_and_rate()
    {
        await using var store = await TestStore.CreateSeededAsync();

        var run = await store.RunAsync(Projections, "projections", "rebuild", "event-counts", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Stderr);
        var result = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("event-counts", result.GetProperty("projection").GetString());
        Assert.Equal(6, result.GetProperty("events").GetInt64());
        Assert.True(result.GetProperty("eventsPerSecond").GetDouble() > 0);
    }

    [Fact]
    public async Task rebuilding_an_unknown_projection_is_KID4004()
    {
        await using var store = await TestStore.CreateSeededAsync();

        var run = await store.RunAsync(Projections, "projections", "rebuild", "nope");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.StartsWith("KID4004: unknown projection 'nope'; known: event-counts", run.Stderr);
        Assert.Single(run.Stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task the_catalogue_of_this_build_is_listed_and_unknown_names_are_KID4004()
    {
        await using var store = await TestStore.CreateSeededAsync();

        var list = await store.RunAsync("projections", "list", "--json");
        var rebuild = await store.RunAsync("projections", "rebuild", "users");

        Assert.Equal(0, list.ExitCode);
        Assert.Equal(KoderId.Projections.ProjectionCatalog.All().Count, JsonDocument.Parse(list.Stdout).RootElement.GetProperty("projections").GetArrayLength());
        if (KoderId.Projections.ProjectionCatalog.All().All(p => p.Name != "users"))
        {
            Assert.Equal(2, rebuild.ExitCode);
            Assert.StartsWith("KID4004:", rebuild.Stderr);
        }
    }

    /// <summary>Counts events per wire type: a raw projection (every event, typed or not).</summary>
    private sealed class EventCountsProjection : IProjection
    {
        public string Name => "event-counts";
        public int Version => 1;
        public ProjectionLifecycle Lifecycle => ProjectionLifecycle.Async;
        public IReadOnlyList<string> Tables { get; } = ["event_counts"];
        public IReadOnlyCollection<Type>? HandledTypes => null;

        public async Task CreateAsync(ProjectionContext context, CancellationToken ct) =>
            await context.ExecuteAsync($"CREATE TABLE {context.Table("event_counts")} (event_type TEXT PRIMARY KEY, n INTEGER NOT NULL)", ct);

        public async Task ApplyAsync(ProjectionContext context, ProjectedEvent e, CancellationToken ct) =>
            await context.ExecuteAsync(
                $"INSERT INTO {context.Table("event_counts")} (event_type, n) VALUES (@t, 1) ON CONFLICT (event_type) DO UPDATE SET n = n + 1",
                ct,
                ("@t", e.Stored.EventType));
    }
}
