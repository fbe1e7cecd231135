using System.CommandLine;
using System.CommandLine.Invocation;
using KoderId.Cli.Commands;
using KoderId.Cli.Output;
using KoderId.Cli.Server;
using KoderId.Cli.Storage;

namespace KoderId.Cli;

/// <summary>The <c>koderid</c> command line, runnable in-process with any output writers.</summary>
public static class KoderIdCli
{
    /// <summary>Runs <c>koderid</c> with <paramref name="args"/> and returns its exit code (see <see cref="ExitCodes"/>).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default) =>
        RunAsync(args, new CliContext(stdout, stderr), ct);

    /// <summary>Runs <c>koderid</c> in <paramref name="context"/>; cancelling <paramref name="ct"/> is Ctrl+C.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);

        // Before anything can fail: a connection string typed without quotes reaches errors as loose tokens.
        var scrubber = SecretScrubber.For(args);
        try
        {
            // No response files: an argument starting with '@' is a value, never a file to read.
            var parse = CreateRootCommand(context).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
            if (parse.Action is ParseErrorAction)
            {
                var errors = string.Join("; ", parse.Errors.Select(e => e.Message));
                Terminal.WriteError(context.Stderr, scrubber, CliErrors.BadOption, $"{errors} (see 'koderid --help')");
                return ExitCodes.Usage;
            }

            var invocation = new InvocationConfiguration
            {
                Output = context.Stdout,
                Error = context.Stderr,
                EnableDefaultExceptionHandler = false,

                // Ctrl+C is the caller's business (Program wires it to ct), so in-process runs touch no console handlers.
                ProcessTerminationTimeout = null,
            };
            return await parse.InvokeAsync(invocation, ct).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Commands map their own failures; this catches what escapes parsing or help, still as one line.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Terminal.WriteError(context.Stderr, scrubber, CliErrors.Unexpected, $"unexpected {ex.GetType().Name}: {ex.Message}");
            return ExitCodes.Failure;
        }
    }

    internal static RootCommand CreateRootCommand(CliContext context)
    {
        var options = new GlobalOptions();
        var root = new RootCommand("koderid: the Koder ID admin tool (event log, projections, audit; tenants, users, groups and roles on a server)");
        options.AddTo(root);
        root.Subcommands.Add(EventsCommands.Create(context, options));
        root.Subcommands.Add(ProjectionsCommands.Create(context, options));
        root.Subcommands.Add(AuditCommands.Create(context, options));
        root.Subcommands.Add(BootstrapCommand.Create(context, options));
        root.Subcommands.Add(ImportCommands.Create(context, options));
        foreach (var command in AdminCommands.Create(context, options))
        {
            root.Subcommands.Add(command);
        }
        return root;
    }
}
