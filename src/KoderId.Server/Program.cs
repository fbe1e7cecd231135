using KoderId.Server.Api;
using KoderId.Server.Configuration;
using KoderId.Server.Errors;
using KoderId.Server.Health;
using KoderId.Server.Observability;
using KoderId.Server.Storage;

var builder = WebApplication.CreateBuilder(args);
builder.AddKoderIdObservability();
builder.Services.AddKoderIdProblemDetails();
builder.Services.AddKoderIdStorage(builder.Configuration);
builder.Services.AddKoderIdHealthChecks();
builder.AddKoderIdApi();
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));

await using var app = builder.Build();

var problems = StartupCheck.Run(app.Services);
if (problems.Count > 0)
{
    foreach (var line in problems)
    {
        await Console.Error.WriteLineAsync(line);
    }

    return StartupCheck.ConfigurationErrorExitCode;
}

app.UseKoderIdCorrelation();

// Outside the exception handler: the request log and the HTTP metrics see the status the client got (a shed 503, a
// refused 4xx), not an exception on its way out; the handler logs what is a server error itself.
app.UseKoderIdObservability();
app.UseKoderIdProblemDetails();
app.UseKoderIdApi();
app.MapKoderIdHealth();
app.MapKoderIdMetrics();
app.MapKoderIdApi();

try
{
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    // The host has already logged the failure with its exception as JSON; this is the one line for a terminal.
    await Console.Error.WriteLineAsync($"Start-up failed: {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
    return 1;
}

/// <summary>Entry point; public so tests can host it with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
