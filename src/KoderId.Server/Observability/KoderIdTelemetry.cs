using System.Diagnostics;

namespace KoderId.Server.Observability;

/// <summary>The host's own trace source; exported with ASP.NET Core's spans when OTLP is configured.</summary>
public static class KoderIdTelemetry
{
    public const string SourceName = "KoderId";

    public static readonly ActivitySource Source = new(SourceName);
}
