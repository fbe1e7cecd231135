using System.Text.Json;

namespace KoderId.Cli.Tests;

public sealed class EventsTailTests
{
    [Fact]
    public async Task tail_prints_a_table_of_the_last_events()
    {
        await using var store = await TestStore.CreateSeededAsync();

        var run = await store.RunAsync("events", "tail");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
        foreach (var header in new[] { "Position", "Time (UTC)", "Tenant", "Stream", "Version", "Type", "Actor" })
        {
            Assert.Contains(header, run.Stdout);
        }

        Assert.Contains("user.email-changed.v1", run.Stdout);
        Assert.Contains("session-1", run.Stdout);
        Assert.Contains("globex", run.Stdout);
        Assert.Contains("2025-03-01 12:06:00.000Z", run.Stdout);
        Assert.Contains("admin-6", run.Stdout);
    }

    [Fact]
    public async Task tail_json_prints_one_parsable_object_per_event_with_every_field()
    {
        await using var store = await TestStore.CreateSeededAsync();

        var run = await store.RunAsync("events", "tail", "--json");

        Assert.Equal(0, run.ExitCode);
        var lines = run.StdoutLines;
        Assert.Equal(6, lines.Length);
        var events = lines.Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        Assert.Equal([1L, 2, 3, 4, 5, 6], events.Select(e => e.GetProperty("position").GetInt64()));

        var second = events[1];
        Assert.Equal("user-1", second.GetProperty("streamId").GetString());
        Assert.Equal(2, second.GetProperty("streamVersion").GetInt64());
        Assert.Equal("acme", second.GetProperty("tenantId").GetString());
        Assert.Equal("user.email-changed.v1", second.GetProperty("type").GetString());
        Assert.Equal(TestStore.Start.AddMinutes(2), second.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal("admin-2", second.GetProperty("actor").GetString());
        Assert.Equal("203.0.113.7", second.GetProperty("clientIp").GetString());
        Assert.Equal("tests/1.0", second.GetProperty("userAgent").GetString());
        Assert.Equal("corr-2", second.GetProperty("correlationId").GetString());
        Assert.Equal("cause-1", second.GetProperty("causationId").GetString());
        Assert.Equal(2, second.GetProperty("data").GetProperty("n").GetInt32());
        Assert.Equal(JsonValueKind.Null, events[0].GetProperty("causationId").ValueKind);
    }

    [Fact]
    public async Task tail_without_from_prints_the_last_limit_events_and_with_from_starts_there()
    {
        await using var store = await TestStore.CreateSeededAsync();

        var last = await store.RunAsync("events", "tail", "--json", "--limit", "2");
        var from = await store.RunAsync("events", "tail", "--json", "--from", "3", "--limit", "2");

        Assert.Equal([5L, 6], Positions(last));
        Assert.Equal([3L, 4], Positions(from));
    }

    [Fact]
    public async Task tail_defaults_to_the_last_20_events()
    {
        await using var store = await TestStore.CreateAsync();
        for (var i = 0; i < 25; i++)
        {
            await store.AppendAsync("acme", $"stream-{i}", "thing.happened.v1");
        }

        var run = await store.RunAsync("events", "tail", "--json");

        Assert.Equal(Enumerable.Range(6, 20).Select(p => (long)p), Positions(run));
    }

    [Fact]
    public async Task tail_filters_by_tenant_and_type()
    {
        await using var store = await TestStore.CreateSeededAsync();

        var tenant = await store.RunAsync("events", "tail", "--json", "--tenant", "globex");
        var type = await store.RunAsync("events", "tail", "--json", "--type", "user.created.v1", "--limit", "2");
        var both = await store.RunAsync("events", "tail", "--json", "--tenant", "acme", "--type", "user.email-changed.v1");

        Assert.Equal([4L, 6], Positions(tenant));
        Assert.Equal([3L, 4], Positions(type));
        Assert.Equal([2L], Positions(both));
    }

    [Fact]
    public async Task tail_finds_the_last_matching_events_far_behind_the_head()
    {
        await using var store = await TestStore.CreateAsync();
        await store.AppendAsync("rare", "r-1", "rare.thing.v1");
        for (var i = 0; i < 30; i++)
        {
            await store.AppendAsync("acme", $"bulk-{i}", Enumerable.Repeat("bulk.thing.v1", 100).ToArray());
        }

        var run = await store.RunAsync("events", "tail", "--json", "--tenant", "rare");

        Assert.Equal([1L], Positions(run));
    }

    [Fact]
    public async Task tail_follow_prints_events_appended_later_until_cancelled()
    {
        await using var store = await TestStore.CreateSeededAsync();
        using var cancel = new CancellationTokenSource();
        var output = new BlockingWriter();
        var context = new CliContext(output, new StringWriter()) { GetEnvironmentVariable = _ => null };

        var running = KoderIdCli.RunAsync(["events", "tail", "--json", "--follow", "--limit", "1", "--connection", store.ConnectionString], context, cancel.Token);
        Assert.Equal(6, Position(await output.NextLineAsync()));

        // Appended by another store instance on the same file, as another process would.
        await store.AppendAsync("acme", "user-9", "user.created.v1", "user.email-changed.v1");
        Assert.Equal(7, Position(await output.NextLineAsync()));
        Assert.Equal(8, Position(await output.NextLineAsync()));

        await cancel.CancelAsync();
        Assert.Equal(0, await running.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task tail_on_an_empty_log_says_so()
    {
        await using var store = await TestStore.CreateAsync();

        var run = await store.RunAsync("events", "tail");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("The log is empty.", run.Stdout);
    }

    [Fact]
    public async Task tail_never_writes_control_characters_from_the_log_to_the_terminal()
    {
        await using var store = await TestStore.CreateAsync();
        await store.Store.AppendAsync(new KoderId.EventSourcing.Storage.AppendRequest("acme", "s-1", KoderId.EventSourcing.Storage.ExpectedVersion.NoStream,
            [new("thing.v1", "{}", new KoderId.EventSourcing.Storage.EventMetadata { Actor = "evil\u001b[31mred\u0007" })]));

        var table = await store.RunAsync("events", "tail");
        var json = await store.RunAsync("events", "tail", "--json");

        Assert.DoesNotContain('\u001b', table.Stdout);
        Assert.Contains("evil?[31mred?", table.Stdout);
        Assert.DoesNotContain('\u001b', json.Stdout);
        Assert.Equal("evil\u001b[31mred\u0007", JsonDocument.Parse(json.StdoutLines.Single()).RootElement.GetProperty("actor").GetString());
    }

    private static long[] Positions(CliRun run)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.StdoutLines.Select(Position).ToArray();
    }

    private static long Position(string line) => JsonDocument.Parse(line).RootElement.GetProperty("position").GetInt64();

    /// <summary>A stdout that hands each complete line to the test as it is written.</summary>
    private sealed class BlockingWriter : TextWriter
    {
        private readonly System.Threading.Channels.Channel<string> _lines = System.Threading.Channels.Channel.CreateUnbounded<string>();
        private readonly System.Text.StringBuilder _current = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_current)
            {
                if (value == '\n')
                {
                    _lines.Writer.TryWrite(_current.ToString());
                    _current.Clear();
                }
                else if (value != '\r')
                {
                    _current.Append(value);
                }
            }
        }

        public async Task<string> NextLineAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await _lines.Reader.ReadAsync(timeout.Token);
        }
    }
}
