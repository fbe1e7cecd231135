using System.Runtime.InteropServices;
using KoderId.Cli;

using var cancel = new CancellationTokenSource();

// First Ctrl+C (or SIGTERM) cancels the running command so it can stop cleanly; a second Ctrl+C kills the process.
Console.CancelKeyPress += (_, e) =>
{
    if (!cancel.IsCancellationRequested)
    {
        e.Cancel = true;
        cancel.Cancel();
    }
};
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});

return await KoderIdCli.RunAsync(args, Console.Out, Console.Error, cancel.Token).ConfigureAwait(false);
