using System.Text.Json;

namespace KoderId.Cli.Tests;

public sealed class EventsStatsTests
{
    [Fact]
    public async Task stats_json_counts_events_streams_types_and_tenants()
    {
        await using var store = await TestStore.CreateSeededAsync();

        var run = await store.RunAsync("events", "stats", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var stats = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(6, stats.GetProperty("totalEvents").GetInt64());
        Assert.Equal(6, stats.GetProperty("headPosition").GetInt64());
        Assert.Equal(4, stats.GetProperty("streams").GetInt64());
        var perType = stats.GetProperty("eventsPerType");
        Assert.Equal(3, perType.GetProperty("user.created.v1").GetInt64());
        Assert.Equal(2, perType.GetProperty("user.email-changed.v1").GetInt64());
        Assert.Equal(1, perType.GetProperty("session.started.v1").GetInt64());
        var perTenant = stats.GetProperty("eventsPerTenant");
        Assert.Equal(4, perTenant.GetProperty("acme").GetInt64());
        Assert.Equal(2, perTenant.GetProperty("globex").GetInt64());
        Assert.Equal(TestStore.Start.AddMinutes(1), stats.GetProperty("firstEventAt").GetDateTimeOffset());
        Assert.Equal(TestStore.Start.AddMinutes(6), stats.GetProperty("lastEventAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task stats_prints_tables_for_humans()
    {
        await using var store = await TestStore.CreateSeededAsync();

        var run = await store.RunAsync("events", "stats");

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"Total events\s*│\s*6\b", run.Stdout);
        Assert.Matches(@"Streams\s*│\s*4\b", run.Stdout);
        Assert.Matches(@"user\.created\.v1\s*│\s*3\s*│\s*50\.0\s?%", run.Stdout);
        Assert.Matches(@"globex\s*│\s*2\b", run.Stdout);
    }

    [Fact]
    public async Task stats_of_an_empty_log_are_zero()
    {
        await using var store = await TestStore.CreateAsync();

        var run = await store.RunAsync("events", "stats", "--json");

        var stats = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(0, stats.GetProperty("totalEvents").GetInt64());
        Assert.Equal(JsonValueKind.Null, stats.GetProperty("firstEventAt").ValueKind);
    }
}
