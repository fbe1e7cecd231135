using System.Text.Encodings.Web;
using System.Text.Json;

namespace KoderId.Application.Audit;

/// <summary>The one JSON shape of an as-of view, for the CLI's <c>--json</c> and the REST answer alike.</summary>
public static class AccountJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(AccountSnapshot account) => JsonSerializer.Serialize(account, Options);
}
