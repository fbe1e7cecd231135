using System.CommandLine;
using System.Text.Json;
using KoderId.Cli.Output;
using KoderId.Cli.Storage;
using Spectre.Console;

namespace KoderId.Cli.Server;

internal delegate Task<int> ServerAction(AdminClient client, Terminal terminal, CancellationToken ct);

/// <summary>Runs one command against the server: options resolved, errors as one coded line, the key kept out of every line.</summary>
internal static class ServerCommand
{
    public static async Task<int> RunAsync(CliContext context, GlobalOptions global, ServerOptions options, ParseResult parse, ServerAction action, CancellationToken ct)
    {
        var server = parse.GetValue(options.Server) ?? NonEmpty(context.GetEnvironmentVariable(ServerOptions.ServerVariable)) ?? ServerOptions.DefaultServer;
        var key = parse.GetValue(options.Key) ?? NonEmpty(context.GetEnvironmentVariable(ServerOptions.KeyVariable));
        var terminal = new Terminal(context, parse.GetValue(global.Json), SecretScrubber.Of(key));
        try
        {
            using var client = AdminClient.Create(server, key, parse.GetValue(options.Tenant));
            return await action(client, terminal, ct).ConfigureAwait(false);
        }
        catch (CliException ex)
        {
            terminal.Error(ex.Code, ex.Message);
            return ex.ExitCode;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            terminal.Error(CliErrors.Cancelled, "cancelled");
            return ExitCodes.Cancelled;
        }
#pragma warning disable CA1031 // The last line of defence: a bug still ends as one coded line, not a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            terminal.Error(CliErrors.Unexpected, $"unexpected {ex.GetType().Name}: {ex.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>A 2xx body as JSON (or <c>{"ok":true}</c> for 204) in <c>--json</c> mode; else <paramref name="text"/>.</summary>
    public static int Print(Terminal terminal, ServerReply reply, Action<JsonElement> text)
    {
        if (terminal.Json)
        {
            terminal.WriteJson(w =>
            {
                if (reply.Body is { } body)
                {
                    body.WriteTo(w);
                }
                else
                {
                    w.WriteStartObject();
                    w.WriteBoolean("ok", true);
                    w.WriteEndObject();
                }
            });
            return ExitCodes.Ok;
        }

        text(reply.Body ?? default);
        return ExitCodes.Ok;
    }

    /// <summary>A list response's <c>items</c> as a table of the given columns (JSON member names).</summary>
    public static void Table(Terminal terminal, JsonElement body, string arrayMember, params (string Header, string Member)[] columns)
    {
        var items = body.ValueKind == JsonValueKind.Object && body.TryGetProperty(arrayMember, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().ToArray()
            : [];
        if (items.Length == 0)
        {
            terminal.WriteLine("(none)");
            return;
        }

        var table = Terminal.NewTable([.. columns.Select(c => c.Header)]);
        foreach (var item in items)
        {
            table.AddRow([.. columns.Select(c => Terminal.Cell(Text(item, c.Member)))]);
        }

        terminal.Write(table);
    }

    /// <summary>One resource as a two-column table of its scalar members.</summary>
    public static void Record(Terminal terminal, JsonElement body)
    {
        var table = Terminal.NewTable("Field", "Value");
        foreach (var member in body.EnumerateObject())
        {
            table.AddRow(Terminal.Cell(member.Name), Terminal.Cell(Text(body, member.Name)));
        }

        terminal.Write(table);
    }

    public static string Text(JsonElement item, string member) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(member, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString() ?? "",
                JsonValueKind.Null or JsonValueKind.Undefined => "",
                JsonValueKind.Array when value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) =>
                    string.Join(", ", value.EnumerateArray().Select(v => v.GetString())),
                _ => value.GetRawText(),
            }
            : "";

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
