namespace KoderId.Application.Flows;

/// <summary>The KID2200–KID2219 codes of <c>/v1/auth/flows</c> (ADR 0006, docs/errors.md).</summary>
public static class FlowErrors
{
    /// <summary>404: an unknown, expired or consumed flow.</summary>
    public const string NotFound = "KID2200";

    /// <summary>401: a wrong answer or a locked account; the same answer and the same work either way.</summary>
    public const string Failed = "KID2201";

    /// <summary>400: the flow does not offer this step now.</summary>
    public const string StepNotOffered = "KID2202";

    /// <summary>429 with Retry-After: too many failed attempts from this client address.</summary>
    public const string Throttled = "KID2203";
}

/// <summary>A flow request refused by the engine; <see cref="Code"/> is one of <see cref="FlowErrors"/>.</summary>
public sealed class FlowException(string code, string message, TimeSpan? retryAfter = null) : Exception(message)
{
    public string Code { get; } = code;

    /// <summary>For <see cref="FlowErrors.Throttled"/>: when the client may try again.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public static FlowException NotFound() => new(FlowErrors.NotFound, "The flow does not exist, has expired or was completed.");

    public static FlowException Failed() => new(FlowErrors.Failed, "The answer was not accepted.");

    public static FlowException StepNotOffered() => new(FlowErrors.StepNotOffered, "The flow does not offer this step now.");
}
