using System.CommandLine;
using KoderId.Cli.Output;
using KoderId.Cli.Storage;
using KoderId.EventSourcing.Storage;

namespace KoderId.Cli.Commands;

/// <summary><c>koderid audit verify</c>: proves the hash chain of the whole log.</summary>
internal static class AuditCommands
{
    private const int HeadPrefixBytes = 8;

    public static Command Create(CliContext context, GlobalOptions options)
    {
        var audit = new Command("audit", "Audit the event log");
        var verify = new Command("verify", "Recompute the hash chain over the whole log and name the first broken link (exit 3 when broken)");
        verify.SetAction((parse, ct) => StoreCommand.RunAsync(context, options, parse, VerifyAsync, ct));
        audit.Subcommands.Add(verify);
        return audit;
    }

    private static async Task<int> VerifyAsync(StoreConnection store, Terminal terminal, CancellationToken ct)
    {
        var total = (await store.Events.ReadHeadAsync(ct).ConfigureAwait(false)).Position;
        var result = await terminal.WithProgressAsync("Verifying the hash chain", total, enabled: true, report =>
            HashChainVerifier.VerifyAsync(store.Events, new SyncProgress<long>(done => report(done, total)), ct)).ConfigureAwait(false);
        var head = result.IsValid ? await store.Events.ReadHeadAsync(ct).ConfigureAwait(false) : null;

        if (terminal.Json)
        {
            terminal.WriteJson(w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("valid", result.IsValid);
                w.WriteNumber("eventsChecked", result.EventsChecked);
                if (result.FirstBrokenPosition is { } broken)
                {
                    w.WriteNumber("firstBrokenPosition", broken);
                }
                else
                {
                    w.WriteNull("firstBrokenPosition");
                }

                w.WriteString("problem", result.Problem);
                if (head is not null)
                {
                    w.WriteNumber("headPosition", head.Position);
                    w.WriteString("headHash", Convert.ToHexStringLower(head.Hash));
                }

                w.WriteEndObject();
            });
        }
        else if (head is not null)
        {
            var prefix = Convert.ToHexStringLower(head.Hash.AsSpan(0, Math.Min(HeadPrefixBytes, head.Hash.Length)));
            terminal.WriteLine($"OK: {Terminal.Number(result.EventsChecked)} events, chain intact, head {prefix}");
        }
        else
        {
            terminal.WriteLine($"BROKEN at position {result.FirstBrokenPosition}: {result.Problem}");
        }

        if (result.IsValid)
        {
            return ExitCodes.Ok;
        }

        terminal.Error(CliErrors.ChainBroken, $"hash chain broken at position {result.FirstBrokenPosition}");
        return ExitCodes.ChainBroken;
    }
}
