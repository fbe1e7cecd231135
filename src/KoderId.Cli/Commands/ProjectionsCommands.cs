using System.CommandLine;
using KoderId.Cli.Output;
using KoderId.Cli.Storage;
using KoderId.EventSourcing.Projections;
using Spectre.Console;

namespace KoderId.Cli.Commands;

/// <summary><c>koderid projections list</c> and <c>koderid projections rebuild NAME</c>.</summary>
internal static class ProjectionsCommands
{
    public static Command Create(CliContext context, GlobalOptions options)
    {
        var projections = new Command("projections", "Inspect and rebuild read models");
        projections.Subcommands.Add(List(context, options));
        projections.Subcommands.Add(Rebuild(context, options));
        return projections;
    }

    private static Command List(CliContext context, GlobalOptions options)
    {
        var command = new Command("list", "Every projection: lifecycle, code and built version, position, lag and tables");
        command.SetAction((parse, ct) => StoreCommand.RunAsync(context, options, parse, ListAsync, ct));
        return command;
    }

    private static async Task<int> ListAsync(StoreConnection store, Terminal terminal, CancellationToken ct)
    {
        var statuses = await store.Projections.ListAsync(ct).ConfigureAwait(false);
        if (terminal.Json)
        {
            terminal.WriteJson(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("projections");
                foreach (var s in statuses)
                {
                    w.WriteStartObject();
                    w.WriteString("name", s.Name);
                    w.WriteString("lifecycle", Lifecycle(s.Lifecycle));
                    w.WriteNumber("codeVersion", s.Version);
                    if (s.BuiltVersion is { } built)
                    {
                        w.WriteNumber("builtVersion", built);
                    }
                    else
                    {
                        w.WriteNull("builtVersion");
                    }

                    w.WriteNumber("position", s.Position);
                    w.WriteNumber("head", s.Head);
                    w.WriteNumber("lag", s.Lag);
                    w.WriteString("state", State(s));
                    w.WriteStartArray("tables");
                    foreach (var table in s.Tables)
                    {
                        w.WriteStringValue(table);
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
            return ExitCodes.Ok;
        }

        if (statuses.Count == 0)
        {
            terminal.WriteLine("No projections are registered in this build.");
            return ExitCodes.Ok;
        }

        var table = Terminal.NewTable("Name", "Lifecycle", "Code version", "Built version", "Position", "Head", "Lag", "State", "Tables");
        foreach (var s in statuses)
        {
            table.AddRow(
                Terminal.Cell(s.Name),
                Terminal.Cell(Lifecycle(s.Lifecycle)),
                Terminal.Cell(s.Version),
                Terminal.Cell(s.BuiltVersion is { } built ? Terminal.Number(built) : "-"),
                Terminal.Cell(s.Position),
                Terminal.Cell(s.Head),
                Terminal.Cell(s.Lag),
                Terminal.Cell(State(s)),
                Terminal.Cell(s.Tables.Count == 0 ? "-" : string.Join(", ", s.Tables)));
        }

        terminal.Write(table);
        return ExitCodes.Ok;
    }

    private static Command Rebuild(CliContext context, GlobalOptions options)
    {
        var name = new Argument<string>("NAME") { Description = "The projection to rebuild (see 'koderid projections list')" };
        var command = new Command("rebuild", "Rebuild one projection from position 0 into shadow tables, then swap them in") { name };
        command.SetAction((parse, ct) => StoreCommand.RunAsync(context, options, parse,
            (store, terminal, token) => RebuildAsync(store, terminal, parse.GetValue(name) ?? string.Empty, token), ct));
        return command;
    }

    private static async Task<int> RebuildAsync(StoreConnection store, Terminal terminal, string name, CancellationToken ct)
    {
        var projection = store.Projections.Projections.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
        if (projection is null)
        {
            var known = store.Projections.Projections.Select(p => p.Name).ToArray();
            throw new CliException(CliErrors.UnknownProjection,
                $"unknown projection '{Terminal.Clean(name)}'; " + (known.Length == 0 ? "none are registered in this build" : $"known: {string.Join(", ", known)}"));
        }

        var head = (await store.Events.ReadHeadAsync(ct).ConfigureAwait(false)).Position;
        var result = await terminal.WithProgressAsync($"Rebuilding {projection.Name}", head, enabled: true, report =>
            store.Projections.RebuildAsync(projection, new SyncProgress<RebuildProgress>(p => report(p.Position, p.Head)), ct)).ConfigureAwait(false);

        if (terminal.Json)
        {
            terminal.WriteJson(w =>
            {
                w.WriteStartObject();
                w.WriteString("projection", result.Projection);
                w.WriteNumber("events", result.Events);
                w.WriteNumber("elapsedSeconds", Math.Round(result.Elapsed.TotalSeconds, 3));
                w.WriteNumber("eventsPerSecond", Math.Round(result.EventsPerSecond, 1));
                w.WriteEndObject();
            });
        }
        else
        {
            terminal.WriteLine($"Rebuilt {result.Projection}: {Terminal.Number(result.Events)} events in " +
                               $"{result.Elapsed.TotalSeconds.ToString("0.###", Terminal.Culture)} s " +
                               $"({result.EventsPerSecond.ToString("N0", Terminal.Culture)} events/s)");
        }

        return ExitCodes.Ok;
    }

    private static string Lifecycle(ProjectionLifecycle lifecycle) => lifecycle == ProjectionLifecycle.Inline ? "inline" : "async";

    private static string State(ProjectionStatus s) =>
        s.BuiltVersion is null ? "not built"
        : s.BuiltVersion != s.Version ? "outdated"
        : s.Lag > 0 ? "behind"
        : "current";
}
