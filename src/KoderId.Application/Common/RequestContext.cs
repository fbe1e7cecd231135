namespace KoderId.Application.Common;

/// <summary>
/// Who is writing and from where, for the current request (scoped). The host fills it from the
/// authenticated principal and the connection; every event appended in the request carries it.
/// </summary>
public sealed class RequestContext
{
    /// <summary>The authenticated actor, e.g. <c>user:acme/01J...</c>, <c>api-key:k1</c> or <c>system</c>.</summary>
    public string? Actor { get; set; }

    public string? ClientIp { get; set; }

    public string? UserAgent { get; set; }

    /// <summary>Ties together every event of one request; generated when the caller sends none.</summary>
    public string CorrelationId { get; set; } = Guid.NewGuid().ToString("N");

    /// <summary>The message or event that caused this request, when there is one.</summary>
    public string? CausationId { get; set; }
}
