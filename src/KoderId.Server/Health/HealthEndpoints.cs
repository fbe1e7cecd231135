using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KoderId.Server.Health;

/// <summary><c>/healthz</c>: the process runs. <c>/readyz</c>: the store answers and the inline read models are current.</summary>
public static class HealthEndpoints
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static IServiceCollection AddKoderIdHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy("The process is running."), [LiveTag])
            .AddCheck<EventStoreHealthCheck>("event-store", HealthStatus.Unhealthy, [ReadyTag], CheckTimeout)
            .AddCheck<InlineProjectionsHealthCheck>("inline-projections", HealthStatus.Unhealthy, [ReadyTag], CheckTimeout);
        return services;
    }

    public static WebApplication MapKoderIdHealth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/healthz", Options(LiveTag));
        app.MapHealthChecks("/readyz", Options(ReadyTag));
        return app;
    }

    private static HealthCheckOptions Options(string tag) => new()
    {
        Predicate = registration => registration.Tags.Contains(tag),
        ResponseWriter = WriteJsonAsync,
        AllowCachingResponses = false,
    };

    /// <summary>
    /// Status per check. A failing check reports its exception's type only: messages of driver exceptions can
    /// name hosts or paths, which a public probe endpoint should not hand out.
    /// </summary>
    private static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            totalDurationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new
                {
                    status = e.Value.Status.ToString(),
                    description = e.Value.Exception is null ? e.Value.Description : "The check failed.",
                    error = e.Value.Exception?.GetType().Name,
                    durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                    data = e.Value.Data.Count == 0 ? null : e.Value.Data,
                }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, JsonOptions, context.RequestAborted);
    }
}
