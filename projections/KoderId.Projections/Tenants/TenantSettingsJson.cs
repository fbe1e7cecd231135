using System.Text.Json;
using KoderId.Events.Tenants;

namespace KoderId.Projections.Tenants;

/// <summary>The <c>settings</c> column: the event's record as camelCase JSON; NULL is the defaults.</summary>
internal static class TenantSettingsJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write(TenantSettings settings) => JsonSerializer.Serialize(settings, Options);

    public static TenantSettings Read(string? json) =>
        json is null ? TenantSettings.Default : JsonSerializer.Deserialize<TenantSettings>(json, Options) ?? TenantSettings.Default;
}
