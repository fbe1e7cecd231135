using System.CommandLine;
using System.Data.Common;
using KoderId.Cli.Output;
using KoderId.Cli.Storage;
using KoderId.EventSourcing.Storage;
using KoderId.Projections;

namespace KoderId.Cli.Commands;

internal delegate Task<int> StoreAction(StoreConnection store, Terminal terminal, CancellationToken ct);

/// <summary>
/// Runs a command body against an opened store and turns every failure into one <c>KID4xxx</c> line on stderr
/// and an exit code: no stack trace, no connection-string secret.
/// </summary>
internal static class StoreCommand
{
    public static async Task<int> RunAsync(CliContext context, GlobalOptions options, ParseResult parse, StoreAction action, CancellationToken ct, bool create = false)
    {
        var settings = options.Resolve(parse, context.GetEnvironmentVariable);
        var terminal = new Terminal(context, parse.GetValue(options.Json), SecretScrubber.For(settings.ConnectionString));
        try
        {
            await using var store = await StoreConnection.OpenAsync(settings, context.Projections ?? ProjectionCatalog.All(), ct, create).ConfigureAwait(false);
            return await action(store, terminal, ct).ConfigureAwait(false);
        }
        catch (CliException ex)
        {
            return Fail(terminal, ex.Code, ex.Message, ex.ExitCode);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Fail(terminal, CliErrors.Cancelled, "cancelled", ExitCodes.Cancelled);
        }
        catch (EventStoreUnavailableException ex)
        {
            return Fail(terminal, CliErrors.StoreUnreachable, $"the store is unreachable ({ex.Code}): {Describe(ex)}", ExitCodes.Failure);
        }
        catch (EventStoreException ex)
        {
            return Fail(terminal, CliErrors.StoreFailed, $"the store failed the operation ({ex.Code}): {ex.Message}", ExitCodes.Failure);
        }
        catch (DbException ex)
        {
            return Fail(terminal, CliErrors.StoreUnreachable, $"the {settings.Provider} store is unreachable or failing: {ex.Message}", ExitCodes.Failure);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(terminal, CliErrors.StoreUnreachable, $"the store cannot be opened: {ex.Message}", ExitCodes.Failure);
        }
#pragma warning disable CA1031 // The last line of defence: a bug still ends as one coded line, not a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Fail(terminal, CliErrors.Unexpected, $"unexpected {ex.GetType().Name}: {ex.Message}", ExitCodes.Failure);
        }
    }

    private static int Fail(Terminal terminal, string code, string message, int exitCode)
    {
        terminal.Error(code, message);
        return exitCode;
    }

    private static string Describe(Exception ex) =>
        ex.InnerException is null ? ex.Message : $"{ex.Message} {ex.InnerException.Message}";
}
