using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.EventSourcing.Serialization;
using NJsonSchema;

namespace KoderId.Events.Tests;

/// <summary>
/// Holds the event records (a registry) against the files of an eventschemas/ folder. Each rule returns the
/// problems it finds, one readable line each, so a failing test says exactly which file or type is wrong.
/// Layout: <c>{root}/{area}/{name}.schema.json</c> and <c>{root}/{area}/examples/{name}.json</c>, where the
/// area is the record's feature folder (last namespace segment, lowercase).
/// </summary>
internal sealed class EventSchemaCatalogue
{
    private const string SchemaSuffix = ".schema.json";
    private readonly EventTypeRegistry _registry;
    private readonly Dictionary<string, List<SchemaFile>> _schemas;
    private readonly IReadOnlyList<string> _strayExamples;

    private EventSchemaCatalogue(EventTypeRegistry registry, Dictionary<string, List<SchemaFile>> schemas, IReadOnlyList<string> strayExamples)
    {
        _registry = registry;
        _schemas = schemas;
        _strayExamples = strayExamples;
    }

    public static async Task<EventSchemaCatalogue> LoadAsync(EventTypeRegistry registry, string root)
    {
        var schemas = new Dictionary<string, List<SchemaFile>>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(root, "*" + SchemaSuffix, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var file = Path.GetFileName(path);
            var name = file[..^SchemaSuffix.Length];
            var area = Path.GetFileName(Path.GetDirectoryName(path))!;
            var schema = await JsonSchema.FromFileAsync(path);
            var example = Path.Combine(Path.GetDirectoryName(path)!, "examples", name + ".json");
            if (!schemas.TryGetValue(name, out var list))
            {
                schemas[name] = list = [];
            }

            list.Add(new SchemaFile(name, area, Path.GetRelativePath(root, path), schema, File.Exists(example) ? await File.ReadAllTextAsync(example) : null));
        }

        var strayExamples = Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(Path.GetDirectoryName(p)) == "examples")
            .Where(p => !File.Exists(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(p))!, Path.GetFileNameWithoutExtension(p) + SchemaSuffix)))
            .Select(p => Path.GetRelativePath(root, p))
            .Order(StringComparer.Ordinal)
            .ToArray();
        return new EventSchemaCatalogue(registry, schemas, strayExamples);
    }

    public static string AreaOf(Type type) => type.Namespace![(type.Namespace!.LastIndexOf('.') + 1)..].ToLowerInvariant();

    public IEnumerable<string> TypesWithoutSchema()
    {
        foreach (var info in _registry.Types.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            if (!_schemas.TryGetValue(info.Name, out var files))
            {
                yield return $"'{info.Name}' ({info.ClrType.Name}) has no {AreaOf(info.ClrType)}/{info.Name}{SchemaSuffix}";
            }
            else if (files.All(f => f.Area != AreaOf(info.ClrType)))
            {
                yield return $"'{info.Name}' ({info.ClrType.Name}) has its schema in {files[0].Path}, not in the '{AreaOf(info.ClrType)}' folder";
            }
        }
    }

    public IEnumerable<string> SchemasWithoutType()
    {
        foreach (var file in Files())
        {
            if (_schemas[file.Name].Count > 1)
            {
                yield return $"{file.Path}: '{file.Name}' has more than one schema";
            }

            if (!_registry.TryGet(file.Name, out _) && !_registry.TryGetUpcaster(file.Name, out _))
            {
                yield return $"{file.Path}: no registered type and no upcaster from '{file.Name}'";
            }
        }

        foreach (var example in _strayExamples)
        {
            yield return $"{example}: an example without a schema next to its folder";
        }
    }

    public IEnumerable<string> ExamplesThatDoNotValidate()
    {
        foreach (var file in Files())
        {
            if (file.Example is null)
            {
                yield return $"{file.Path}: no example at {file.Area}/examples/{file.Name}.json";
                continue;
            }

            var errors = file.Schema.Validate(file.Example);
            if (errors.Count > 0)
            {
                yield return $"{file.Area}/examples/{file.Name}.json does not validate: {string.Join("; ", errors.Select(e => $"{e.Kind} at {e.Path}"))}";
            }
        }
    }

    /// <summary>Deserialize the example to its record, serialize it back: the JSON must be the same, or the record loses or invents data.</summary>
    public IEnumerable<string> ExamplesThatDoNotRoundTrip()
    {
        foreach (var file in Files())
        {
            if (file.Example is null || !_registry.TryGet(file.Name, out var info))
            {
                continue;
            }

            var problem = RoundTrip(file.Example, info);
            if (problem is not null)
            {
                yield return $"{file.Area}/examples/{file.Name}.json {problem}";
            }
        }
    }

    /// <summary>A retired version's example, upcast, must be a valid example of the current version.</summary>
    public IEnumerable<string> RetiredExamplesThatDoNotUpcast()
    {
        foreach (var file in Files())
        {
            if (file.Example is null || _registry.TryGet(file.Name, out _) || !_registry.TryGetUpcaster(file.Name, out _))
            {
                continue;
            }

            if (!_registry.TryResolve(file.Name, out var current))
            {
                yield return $"{file.Path}: the upcaster chain from '{file.Name}' does not reach a registered type";
                continue;
            }

            var node = (JsonObject)JsonNode.Parse(file.Example)!;
            for (var wire = file.Name; wire != current.Name;)
            {
                _registry.TryGetUpcaster(wire, out var up);
                node = up.Upcast(node);
                wire = up.ToType;
            }

            var upcast = node.ToJsonString(EventSerializer.JsonOptions);
            if (!_schemas.TryGetValue(current.Name, out var target))
            {
                yield return $"{file.Path}: '{current.Name}', its upcast target, has no schema";
                continue;
            }

            var errors = target[0].Schema.Validate(upcast);
            if (errors.Count > 0)
            {
                yield return $"{file.Area}/examples/{file.Name}.json upcast to '{current.Name}' does not validate: {string.Join("; ", errors.Select(e => $"{e.Kind} at {e.Path}"))}";
            }
            else if (RoundTrip(upcast, current) is { } problem)
            {
                yield return $"{file.Area}/examples/{file.Name}.json upcast to '{current.Name}' {problem}";
            }
        }
    }

    /// <summary>
    /// The schema mirrors its record: the same properties, required exactly when not nullable, and
    /// <c>x-personal-data</c> / <c>x-data-subject</c> exactly on the record's [PersonalData] / [DataSubject] fields.
    /// </summary>
    public IEnumerable<string> SchemasThatDisagreeWithTheirRecord()
    {
        var problems = new List<string>();
        var nullability = new NullabilityInfoContext();
        foreach (var file in Files())
        {
            if (file.Schema.AllowAdditionalProperties)
            {
                problems.Add($"{file.Path}: must say \"additionalProperties\": false");
            }

            if (!_registry.TryGet(file.Name, out var info))
            {
                continue;
            }

            var properties = info.ClrType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), StringComparer.Ordinal);
            Compare("properties", properties.Keys, file.Schema.Properties.Keys);
            Compare("required", properties.Where(p => nullability.Create(p.Value).ReadState != NullabilityState.Nullable).Select(p => p.Key), file.Schema.RequiredProperties);
            Compare("x-personal-data", info.PersonalFields, Marked(file.Schema, "x-personal-data"));
            Compare("x-data-subject", properties.Where(p => p.Value.GetCustomAttribute<DataSubjectAttribute>() is not null).Select(p => p.Key), Marked(file.Schema, "x-data-subject"));

            void Compare(string what, IEnumerable<string> record, IEnumerable<string> schema)
            {
                var missing = record.Except(schema, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
                var extra = schema.Except(record, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
                if (missing.Length + extra.Length > 0)
                {
                    problems.Add($"{file.Path}: {what} differ from {info.ClrType.Name} (schema lacks [{string.Join(", ", missing)}], has extra [{string.Join(", ", extra)}])");
                }
            }
        }

        return problems;
    }

    private static IEnumerable<string> Marked(JsonSchema schema, string keyword) =>
        schema.Properties.Where(p => p.Value.ExtensionData?.TryGetValue(keyword, out var v) == true && v is true).Select(p => p.Key);

    private static string? RoundTrip(string json, EventTypeInfo info)
    {
        object record;
        try
        {
            record = JsonSerializer.Deserialize(json, info.ClrType, EventSerializer.JsonOptions)!;
        }
        catch (JsonException ex)
        {
            return $"does not read as {info.ClrType.Name}: {ex.Message}";
        }

        var expected = JsonNode.Parse(json);
        var actual = JsonSerializer.SerializeToNode(record, info.ClrType, EventSerializer.JsonOptions);
        return JsonNode.DeepEquals(expected, actual)
            ? null
            : $"does not round-trip through {info.ClrType.Name}: written back as {actual?.ToJsonString()}";
    }

    private IEnumerable<SchemaFile> Files() => _schemas.Values.SelectMany(f => f).OrderBy(f => f.Path, StringComparer.Ordinal);

    private sealed record SchemaFile(string Name, string Area, string Path, JsonSchema Schema, string? Example);
}
