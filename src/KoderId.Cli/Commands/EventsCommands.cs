using System.CommandLine;
using System.Text.Json;
using KoderId.Cli.Output;
using KoderId.Cli.Storage;
using KoderId.EventSourcing.Storage;
using Spectre.Console;

namespace KoderId.Cli.Commands;

/// <summary><c>koderid events tail</c> and <c>koderid events stats</c>.</summary>
internal static class EventsCommands
{
    private const int DefaultLimit = 20;
    private const long StatsProgressThreshold = 100_000;

    public static Command Create(CliContext context, GlobalOptions options)
    {
        var events = new Command("events", "Read the event log");
        events.Subcommands.Add(Tail(context, options));
        events.Subcommands.Add(Stats(context, options));
        return events;
    }

    private static Command Tail(CliContext context, GlobalOptions options)
    {
        var from = new Option<long?>("--from") { Description = "First position to print (inclusive) [default: the last --limit events]", HelpName = "POSITION" };
        var limit = new Option<int>("--limit") { Description = "Most events to print before following", HelpName = "N", DefaultValueFactory = _ => DefaultLimit };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events until Ctrl+C" };
        var tenant = new Option<string?>("--tenant") { Description = "Only events of this tenant", HelpName = "T" };
        var type = new Option<string?>("--type") { Description = "Only events of this wire type (e.g. user.created.v1)", HelpName = "T" };
        var command = new Command("tail", "Print events: position, time, tenant, stream, version, type, actor") { from, limit, follow, tenant, type };
        command.SetAction((parse, ct) => StoreCommand.RunAsync(context, options, parse, (store, terminal, token) => TailAsync(
            store, terminal, new TailRequest(parse.GetValue(from), parse.GetValue(limit), parse.GetValue(follow), parse.GetValue(tenant), parse.GetValue(type)), token), ct));
        return command;
    }

    private sealed record TailRequest(long? From, int Limit, bool Follow, string? Tenant, string? Type)
    {
        public bool Filtered => Tenant is not null || Type is not null;

        public bool Matches(StoredEvent e) =>
            (Tenant is null || string.Equals(e.TenantId, Tenant, StringComparison.Ordinal)) &&
            (Type is null || string.Equals(e.EventType, Type, StringComparison.Ordinal));
    }

    private static async Task<int> TailAsync(StoreConnection store, Terminal terminal, TailRequest request, CancellationToken ct)
    {
        if (request.Limit < 1)
        {
            throw new CliException(CliErrors.BadOption, $"--limit must be at least 1, not {request.Limit}");
        }

        if (request.From < 0)
        {
            throw new CliException(CliErrors.BadOption, $"--from must be a position of 0 or more, not {request.From}");
        }

        var head = (await store.Events.ReadHeadAsync(ct).ConfigureAwait(false)).Position;
        IReadOnlyList<StoredEvent> initial;
        long cursor;
        if (request.From is { } fromPosition)
        {
            var list = new List<StoredEvent>();
            cursor = Math.Max(0, fromPosition - 1);
            await foreach (var e in LogReader.ReadAsync(store.Events, cursor, ct).ConfigureAwait(false))
            {
                cursor = e.Position;
                if (request.Matches(e))
                {
                    list.Add(e);
                    if (list.Count == request.Limit)
                    {
                        break;
                    }
                }
            }

            initial = list;
        }
        else
        {
            initial = await LogReader.ReadLastAsync(store.Events, head, request.Limit, request.Matches, request.Filtered, ct).ConfigureAwait(false);
            cursor = head;
        }

        if (terminal.Json)
        {
            foreach (var e in initial)
            {
                WriteJson(terminal, e);
            }
        }
        else if (request.Follow)
        {
            terminal.WriteLine(LineHeader);
            foreach (var e in initial)
            {
                terminal.WriteLine(Line(e));
            }
        }
        else if (initial.Count == 0)
        {
            terminal.WriteLine(head == 0 ? "The log is empty." : "No events match.");
        }
        else
        {
            var table = Terminal.NewTable("Position", "Time (UTC)", "Tenant", "Stream", "Version", "Type", "Actor");
            foreach (var e in initial)
            {
                table.AddRow(Terminal.Cell(e.Position), Terminal.Cell(Terminal.Time(e.Metadata.Timestamp)), Terminal.Cell(e.TenantId),
                    Terminal.Cell(e.StreamId), Terminal.Cell(e.StreamVersion), Terminal.Cell(e.EventType), Terminal.Cell(e.Metadata.Actor));
            }

            terminal.Write(table);
        }

        await terminal.Stdout.FlushAsync(ct).ConfigureAwait(false);
        return request.Follow ? await FollowAsync(store, terminal, request, cursor, ct).ConfigureAwait(false) : ExitCodes.Ok;
    }

    private static async Task<int> FollowAsync(StoreConnection store, Terminal terminal, TailRequest request, long cursor, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await store.Events.WaitForEventsAsync(cursor, TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
                await foreach (var e in store.Events.ReadAllAsync(cursor, 1_000, ct).ConfigureAwait(false))
                {
                    cursor = e.Position;
                    if (!request.Matches(e))
                    {
                        continue;
                    }

                    if (terminal.Json)
                    {
                        WriteJson(terminal, e);
                    }
                    else
                    {
                        terminal.WriteLine(Line(e));
                    }
                }

                await terminal.Stdout.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl+C is how --follow ends: a normal exit.
            await terminal.Stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
    }

    // A table cannot grow once printed, so --follow prints aligned lines instead.
    private static readonly string LineHeader = Format("POSITION", "TIME (UTC)", "TENANT", "STREAM", "VERSION", "TYPE", "ACTOR");

    private static string Line(StoredEvent e) => Format(
        Terminal.Number(e.Position), Terminal.Time(e.Metadata.Timestamp), Terminal.Clean(e.TenantId), Terminal.Clean(e.StreamId),
        Terminal.Number(e.StreamVersion), Terminal.Clean(e.EventType), Terminal.Clean(e.Metadata.Actor));

    private static string Format(string position, string time, string tenant, string stream, string version, string type, string actor) =>
        $"{position,10}  {time,-24}  {tenant,-16}  {stream,-36}  {version,7}  {type,-32}  {actor}".TrimEnd();

    private static void WriteJson(Terminal terminal, StoredEvent e) => terminal.WriteJson(w =>
    {
        var m = e.Metadata;
        w.WriteStartObject();
        w.WriteNumber("position", e.Position);
        w.WriteString("streamId", e.StreamId);
        w.WriteNumber("streamVersion", e.StreamVersion);
        w.WriteString("tenantId", e.TenantId);
        w.WriteString("type", e.EventType);
        w.WriteString("timestamp", m.Timestamp);
        w.WriteString("eventId", m.EventId);
        w.WriteString("actor", m.Actor);
        w.WriteString("clientIp", m.ClientIp);
        w.WriteString("userAgent", m.UserAgent);
        w.WriteString("correlationId", m.CorrelationId);
        w.WriteString("causationId", m.CausationId);
        w.WritePropertyName("data");
        if (ParseData(e.Data) is { } data)
        {
            // Re-written compactly so each event stays on one line; personal fields stay encrypted as stored.
            using (data)
            {
                data.RootElement.WriteTo(w);
            }
        }
        else
        {
            // Only a tampered row holds non-JSON; show it rather than hide it (audit verify names the row).
            w.WriteStringValue(e.Data);
        }

        w.WriteEndObject();
    });

    private static JsonDocument? ParseData(string data)
    {
        try
        {
            return JsonDocument.Parse(data);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Command Stats(CliContext context, GlobalOptions options)
    {
        var command = new Command("stats", "Count events, streams, and events per type and per tenant (reads the whole log)");
        command.SetAction((parse, ct) => StoreCommand.RunAsync(context, options, parse, StatsAsync, ct));
        return command;
    }

    private static async Task<int> StatsAsync(StoreConnection store, Terminal terminal, CancellationToken ct)
    {
        var head = (await store.Events.ReadHeadAsync(ct).ConfigureAwait(false)).Position;
        var stats = await terminal.WithProgressAsync("Reading the log", head, head > StatsProgressThreshold, async report =>
        {
            var s = new LogStats();
            await foreach (var e in LogReader.ReadAsync(store.Events, 0, ct).ConfigureAwait(false))
            {
                s.Add(e);
                if (s.Total % LogReader.PageSize == 0)
                {
                    report(e.Position, head);
                }
            }

            report(s.LastPosition, head);
            return s;
        }).ConfigureAwait(false);

        if (terminal.Json)
        {
            terminal.WriteJson(w =>
            {
                w.WriteStartObject();
                w.WriteNumber("totalEvents", stats.Total);
                w.WriteNumber("headPosition", head);
                w.WriteNumber("streams", stats.Streams.Count);
                WriteTime(w, "firstEventAt", stats.First);
                WriteTime(w, "lastEventAt", stats.Last);
                WriteCounts(w, "eventsPerType", stats.PerType);
                WriteCounts(w, "eventsPerTenant", stats.PerTenant);
                w.WriteEndObject();
            });
            return ExitCodes.Ok;
        }

        var summary = Terminal.NewTable("Log", "Value");
        summary.AddRow(Terminal.Cell("Total events"), Terminal.Cell(stats.Total));
        summary.AddRow(Terminal.Cell("Head position"), Terminal.Cell(head));
        summary.AddRow(Terminal.Cell("Streams"), Terminal.Cell(stats.Streams.Count));
        summary.AddRow(Terminal.Cell("Tenants"), Terminal.Cell(stats.PerTenant.Count));
        summary.AddRow(Terminal.Cell("Event types"), Terminal.Cell(stats.PerType.Count));
        summary.AddRow(Terminal.Cell("First event"), Terminal.Cell(stats.First is { } first ? Terminal.Time(first) : "-"));
        summary.AddRow(Terminal.Cell("Last event"), Terminal.Cell(stats.Last is { } last ? Terminal.Time(last) : "-"));
        terminal.Write(summary);
        terminal.Write(CountTable("Type", stats.PerType, stats.Total));
        terminal.Write(CountTable("Tenant", stats.PerTenant, stats.Total));
        return ExitCodes.Ok;
    }

    private static Table CountTable(string label, Dictionary<string, long> counts, long total)
    {
        var table = Terminal.NewTable(label, "Events", "Share");
        foreach (var (key, count) in Sorted(counts))
        {
            table.AddRow(Terminal.Cell(key), Terminal.Cell(count), Terminal.Cell((count / (double)Math.Max(1, total)).ToString("P1", Terminal.Culture)));
        }

        return table;
    }

    private static IEnumerable<KeyValuePair<string, long>> Sorted(Dictionary<string, long> counts) =>
        counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal);

    private static void WriteCounts(Utf8JsonWriter w, string name, Dictionary<string, long> counts)
    {
        w.WriteStartObject(name);
        foreach (var (key, count) in Sorted(counts))
        {
            w.WriteNumber(key, count);
        }

        w.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter w, string name, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private sealed class LogStats
    {
        public long Total { get; private set; }
        public long LastPosition { get; private set; }
        public DateTimeOffset? First { get; private set; }
        public DateTimeOffset? Last { get; private set; }
        public HashSet<string> Streams { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, long> PerType { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, long> PerTenant { get; } = new(StringComparer.Ordinal);

        public void Add(StoredEvent e)
        {
            Total++;
            LastPosition = e.Position;
            First ??= e.Metadata.Timestamp;
            Last = e.Metadata.Timestamp;
            Streams.Add(e.StreamId);
            PerType[e.EventType] = PerType.GetValueOrDefault(e.EventType) + 1;
            PerTenant[e.TenantId] = PerTenant.GetValueOrDefault(e.TenantId) + 1;
        }
    }
}
