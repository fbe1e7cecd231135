using System.Text.RegularExpressions;
using KoderId.Application.Common;
using KoderId.Server.Auth;

namespace KoderId.Server.Api;

/// <summary>
/// Fills the scoped <see cref="RequestContext"/> every event of the request carries: the actor from the
/// authenticated principal, the client ip from the connection (X-Forwarded-For is not trusted: no proxy is
/// configured as trusted), the user agent, and the correlation id (the caller's when it is a sane token).
/// </summary>
public static partial class RequestContextMiddleware
{
    public const string CorrelationHeader = "X-Correlation-ID";
    private const int MaxUserAgentLength = 512;

    /// <summary>Echoes the correlation id on every response; runs before the exception handler so errors carry it too.</summary>
    public static WebApplication UseKoderIdCorrelation(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (http, next) =>
        {
            var presented = http.Request.Headers[CorrelationHeader].ToString();
            var correlationId = IsSaneCorrelationId(presented) ? presented : Guid.NewGuid().ToString("N");
            http.Items[CorrelationHeader] = correlationId;
            http.Response.OnStarting(() =>
            {
                http.Response.Headers[CorrelationHeader] = correlationId;
                return Task.CompletedTask;
            });
            await next(http).ConfigureAwait(false);
        });
        return app;
    }

    /// <summary>After authentication: the principal is known.</summary>
    public static WebApplication UseKoderIdRequestContext(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (http, next) =>
        {
            var context = http.RequestServices.GetRequiredService<RequestContext>();
            context.Actor = http.User.Identity?.IsAuthenticated == true ? http.User.FindFirst(AuthSetup.ActorClaim)?.Value : null;
            context.ClientIp = http.Connection.RemoteIpAddress?.ToString();
            var userAgent = http.Request.Headers.UserAgent.ToString();
            context.UserAgent = userAgent.Length == 0 ? null : userAgent.Length > MaxUserAgentLength ? userAgent[..MaxUserAgentLength] : userAgent;
            if (http.Items[CorrelationHeader] is string correlationId)
            {
                context.CorrelationId = correlationId;
            }

            await next(http).ConfigureAwait(false);
        });
        return app;
    }

    public static bool IsSaneCorrelationId(string? value) => !string.IsNullOrEmpty(value) && value.Length <= 64 && CorrelationPattern().IsMatch(value);

    [GeneratedRegex("^[A-Za-z0-9._-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex CorrelationPattern();
}
