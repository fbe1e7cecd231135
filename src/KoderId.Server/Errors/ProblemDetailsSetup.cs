namespace KoderId.Server.Errors;

/// <summary>RFC 9457 problem+json for every error the host answers: thrown exceptions and bare status codes (404, 405...).</summary>
public static class ProblemDetailsSetup
{
    public static IServiceCollection AddKoderIdProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            // Bare statuses with a stable meaning get their code too: the endpoint matcher answers 415 for a body
            // type an endpoint does not accept, Kestrel 413 for a body over its limit.
            var code = context.ProblemDetails.Status switch
            {
                StatusCodes.Status415UnsupportedMediaType => ApiErrors.UnsupportedMediaType,
                StatusCodes.Status413PayloadTooLarge => ApiErrors.BodyTooLarge,
                _ => null,
            };
            if (code is not null)
            {
                context.ProblemDetails.Extensions.TryAdd("code", code);
            }
        });
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
