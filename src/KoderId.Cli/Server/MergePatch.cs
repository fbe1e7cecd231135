using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KoderId.Cli.Server;

/// <summary>
/// The body of <c>users patch</c>: an RFC 7396 merge patch from <c>--json-body</c>, or from <c>--set field=value</c>
/// and <c>--clear field</c> pairs. Field names are passed through; the server refuses the ones it does not know.
/// </summary>
internal static class MergePatch
{
    public const string MediaType = "application/merge-patch+json";

    public static JsonObject Build(IReadOnlyList<string> set, IReadOnlyList<string> clear, string? jsonBody)
    {
        if (jsonBody is not null && (set.Count > 0 || clear.Count > 0))
        {
            throw Bad("give either --json-body or --set/--clear, not both.");
        }

        if (jsonBody is not null)
        {
            try
            {
                return JsonNode.Parse(jsonBody) as JsonObject ?? throw Bad("--json-body must be a JSON object.");
            }
            catch (JsonException)
            {
                throw Bad("--json-body is not valid JSON.");
            }
        }

        var patch = new JsonObject();
        foreach (var pair in set)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw Bad("--set takes field=value (e.g. --set displayName=Alice).");
            }

            Add(patch, pair[..equals].Trim(), JsonValue.Create(pair[(equals + 1)..]));
        }

        foreach (var field in clear)
        {
            Add(patch, field.Trim(), null);
        }

        return patch.Count > 0 ? patch : throw Bad("nothing to change: give --set field=value, --clear field or --json-body.");
    }

    private static void Add(JsonObject patch, string field, JsonNode? value)
    {
        if (field.Length == 0 || !patch.TryAdd(field, value))
        {
            throw Bad(string.Create(CultureInfo.InvariantCulture, $"the field '{Output.Terminal.Clean(field)}' is empty or given twice."));
        }
    }

    private static CliException Bad(string message) => new(CliErrors.BadPatch, message);
}
