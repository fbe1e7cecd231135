namespace KoderId.Server.Errors;

/// <summary>RFC 9457 problem+json for every error the host answers: thrown exceptions and bare status codes (404, 405...).</summary>
public static class ProblemDetailsSetup
{
    public static IServiceCollection AddKoderIdProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        return services;
    }

    /// <summary>First in the pipeline, so nothing after it can answer with a stack trace, in any environment.</summary>
    public static WebApplication UseKoderIdProblemDetails(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
