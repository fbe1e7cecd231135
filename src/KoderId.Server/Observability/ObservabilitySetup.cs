using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Prometheus;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace KoderId.Server.Observability;

/// <summary>Logs (Serilog, compact JSON on stdout), traces (OpenTelemetry) and metrics (Prometheus) in one place.</summary>
public static class ObservabilitySetup
{
    public const string MetricsPath = "/metrics";

    public static WebApplicationBuilder AddKoderIdObservability(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // preserveStaticLogger: no process-wide logger, so several hosts in one process (tests) stay apart.
        builder.Services.AddSerilog(
            (services, logger) => logger
                .MinimumLevel.Information()
                // Hosting's own request lines carry the query string (later: OAuth codes); request logging below logs the path only.
                .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
                .ReadFrom.Configuration(services.GetRequiredService<IConfiguration>())
                // Extra sinks registered as ILogEventSink (none in production; tests capture what would be logged).
                .ReadFrom.Services(services)
                .Enrich.FromLogContext()
                .WriteTo.Console(new RenderedCompactJsonFormatter()),
            preserveStaticLogger: true);

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("koderid-server"))
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource(KoderIdTelemetry.SourceName)
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path));
                if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
                {
                    // The exporter reads the endpoint, headers and protocol from the standard OTEL_* variables.
                    tracing.AddOtlpExporter();
                }
            });

        builder.Services.AddSingleton(_ =>
        {
            var registry = Metrics.NewCustomRegistry();
            DotNetStats.Register(registry);
            return registry;
        });
        builder.Services.AddSingleton<KoderIdMetrics>();
        return builder;
    }

    /// <summary>Set on a request refused to shed load (a 503 with Retry-After): logged at Warning, it is the server protecting itself, not failing.</summary>
    public const string ShedItem = "koderid.shed";

    /// <summary>Request logging and HTTP metrics; call before (outside) the exception handler so every request is logged and counted with the status it got.</summary>
    public static WebApplication UseKoderIdObservability(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseSerilogRequestLogging(o =>
        {
            // Without it the middleware writes to the static logger, which this host leaves silent.
            o.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            o.GetLevel = (context, _, error) =>
                context.Items.ContainsKey(ShedItem) ? LogEventLevel.Warning
                : error is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Error
                : IsProbe(context.Request.Path) ? LogEventLevel.Verbose
                : LogEventLevel.Information;
        });

        var registry = app.Services.GetRequiredService<CollectorRegistry>();
        app.UseHttpMetrics(o => o.SetMetricFactory(Metrics.WithCustomRegistry(registry)));
        return app;
    }

    public static WebApplication MapKoderIdMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Resolved now so its scrape callback is registered before the first scrape.
        _ = app.Services.GetRequiredService<KoderIdMetrics>();
        app.MapMetrics(MetricsPath, app.Services.GetRequiredService<CollectorRegistry>());
        return app;
    }

    /// <summary>Probes and scrapes arrive every few seconds; they are neither traced nor logged at Information.</summary>
    public static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/healthz", StringComparison.OrdinalIgnoreCase) ||
        path.StartsWithSegments("/readyz", StringComparison.OrdinalIgnoreCase) ||
        path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase);
}
