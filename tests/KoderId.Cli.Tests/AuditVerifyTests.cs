using System.Text.Json;

namespace KoderId.Cli.Tests;

public sealed class AuditVerifyTests
{
    [Fact]
    public async Task verify_of_an_intact_log_prints_OK_with_the_head_prefix()
    {
        await using var store = await TestStore.CreateSeededAsync();
        var head = await store.Store.ReadHeadAsync();

        var run = await store.RunAsync("audit", "verify");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal($"OK: 6 events, chain intact, head {Convert.ToHexStringLower(head.Hash)[..16]}", run.StdoutLines.Single());
        Assert.DoesNotContain("KID4", run.Stderr);
    }

    [Fact]
    public async Task verify_json_of_an_intact_log()
    {
        await using var store = await TestStore.CreateSeededAsync();

        var run = await store.RunAsync("audit", "verify", "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
        var result = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.True(result.GetProperty("valid").GetBoolean());
        Assert.Equal(6, result.GetProperty("eventsChecked").GetInt64());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("firstBrokenPosition").ValueKind);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("problem").ValueKind);
    }

    [Fact]
    public async Task verify_after_a_row_is_tampered_names_the_position_and_exits_3()
    {
        await using var store = await TestStore.CreateSeededAsync();
        Assert.Equal(0, (await store.RunAsync("audit", "verify")).ExitCode);

        await store.ExecuteAsync("""UPDATE events SET data = '{"n":3,"stream":"user-2","admin":true}' WHERE position = 3""");
        var human = await store.RunAsync("audit", "verify");
        var json = await store.RunAsync("audit", "verify", "--json");

        Assert.Equal(3, human.ExitCode);
        Assert.StartsWith("BROKEN at position 3: ", human.StdoutLines[0]);
        Assert.StartsWith("stream user-2 (tenant acme), event ", human.StdoutLines[1]);
        Assert.Equal("KID4005: hash chain broken at position 3", human.Stderr.Trim());

        Assert.Equal(3, json.ExitCode);
        var result = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.False(result.GetProperty("valid").GetBoolean());
        Assert.Equal(2, result.GetProperty("eventsChecked").GetInt64());
        Assert.Equal(3, result.GetProperty("firstBrokenPosition").GetInt64());
        Assert.Contains("position 3", result.GetProperty("problem").GetString());
    }

    [Fact]
    public async Task verify_detects_a_deleted_newest_event()
    {
        await using var store = await TestStore.CreateSeededAsync();

        await store.ExecuteAsync("DELETE FROM events WHERE position = 6");
        var run = await store.RunAsync("audit", "verify");

        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith("BROKEN at position 6: ", run.Stdout);
    }

    [Fact]
    public async Task verify_of_an_empty_log_is_OK()
    {
        await using var store = await TestStore.CreateAsync();

        var run = await store.RunAsync("audit", "verify");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("OK: 0 events, chain intact, head 0000000000000000", run.StdoutLines.Single());
    }
}
