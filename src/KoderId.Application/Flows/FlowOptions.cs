namespace KoderId.Application.Flows;

/// <summary><c>KoderId:Flows</c>: the per-address throttle and the failure windows (ADR 0006). Per-user limits are the tenant's lockout settings.</summary>
public sealed class FlowOptions
{
    public const string Section = "KoderId:Flows";

    /// <summary>Failed answers one client address may give a tenant within <see cref="FailureWindow"/> before it gets 429.</summary>
    public int MaxFailuresPerIp { get; set; } = 100;

    /// <summary>How long a failure counts, for the address throttle and for the user's count towards a lock.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);
}
