using System.Text.Json.Nodes;
using KoderId.Events.Tests.Widgets;
using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Tests;

/// <summary>The schema rules themselves, on a throw-away catalogue: each rule fires on the mistake it guards against.</summary>
public sealed class EventSchemaCatalogueTests : IDisposable
{
    private const string CurrentSchema = """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "additionalProperties": false,
          "required": ["ownerId", "label", "madeAt"],
          "properties": {
            "ownerId": { "type": "string", "x-data-subject": true },
            "label": { "type": "string", "minLength": 1, "x-personal-data": true },
            "madeAt": { "type": "string", "format": "date-time" },
            "count": { "type": "integer" }
          }
        }
        """;

    private const string CurrentExample = """{ "ownerId": "o1", "label": "blue", "madeAt": "2025-01-02T03:04:05+00:00", "count": 3 }""";

    private const string RetiredSchema = """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "additionalProperties": false,
          "required": ["ownerId", "title", "madeAt"],
          "properties": {
            "ownerId": { "type": "string", "x-data-subject": true },
            "title": { "type": "string", "x-personal-data": true },
            "madeAt": { "type": "string", "format": "date-time" }
          }
        }
        """;

    private const string RetiredExample = """{ "ownerId": "o1", "title": "blue", "madeAt": "2025-01-02T03:04:05+00:00" }""";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "koderid-schemas-" + Guid.NewGuid().ToString("N"));

    public EventSchemaCatalogueTests()
    {
        Write("widgets", "widget.made.v2", CurrentSchema, CurrentExample);
        Write("widgets", "widget.made.v1", RetiredSchema, RetiredExample);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task a_complete_catalogue_has_no_problems()
    {
        var catalogue = await LoadAsync();
        Assert.Empty(catalogue.TypesWithoutSchema());
        Assert.Empty(catalogue.SchemasWithoutType());
        Assert.Empty(catalogue.ExamplesThatDoNotValidate());
        Assert.Empty(catalogue.ExamplesThatDoNotRoundTrip());
        Assert.Empty(catalogue.RetiredExamplesThatDoNotUpcast());
        Assert.Empty(catalogue.SchemasThatDisagreeWithTheirRecord());
    }

    [Fact]
    public async Task a_type_without_a_schema_fails()
    {
        File.Delete(Path.Combine(_root, "widgets", "widget.made.v2.schema.json"));
        File.Delete(Path.Combine(_root, "widgets", "examples", "widget.made.v2.json"));

        var problem = Assert.Single((await LoadAsync()).TypesWithoutSchema());
        Assert.Contains("'widget.made.v2'", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_schema_outside_its_records_feature_folder_fails()
    {
        Directory.Delete(Path.Combine(_root, "widgets"), recursive: true);
        Write("gadgets", "widget.made.v2", CurrentSchema, CurrentExample);

        Assert.Contains("not in the 'widgets' folder", Assert.Single((await LoadAsync()).TypesWithoutSchema()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_schema_without_a_type_fails()
    {
        Write("widgets", "widget.sold.v1", CurrentSchema, CurrentExample);

        Assert.Contains("widget.sold.v1", Assert.Single((await LoadAsync()).SchemasWithoutType()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_retired_schema_is_accepted_only_while_an_upcaster_reads_it()
    {
        Assert.Empty((await LoadAsync()).SchemasWithoutType());

        var withoutUpcaster = await EventSchemaCatalogue.LoadAsync(new EventTypeRegistry().Register<WidgetMade>(), _root);
        Assert.Contains("widget.made.v1", Assert.Single(withoutUpcaster.SchemasWithoutType()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_example_without_a_schema_fails()
    {
        File.WriteAllText(Path.Combine(_root, "widgets", "examples", "widget.broken.v1.json"), CurrentExample);

        Assert.Contains("widget.broken.v1.json", Assert.Single((await LoadAsync()).SchemasWithoutType()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_schema_without_an_example_fails()
    {
        File.Delete(Path.Combine(_root, "widgets", "examples", "widget.made.v2.json"));

        Assert.Contains("no example", Assert.Single((await LoadAsync()).ExamplesThatDoNotValidate()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_example_that_does_not_validate_fails()
    {
        Write("widgets", "widget.made.v2", CurrentSchema, """{ "ownerId": "o1", "label": "", "madeAt": "yesterday", "colour": "red" }""");

        var problem = Assert.Single((await LoadAsync()).ExamplesThatDoNotValidate());
        Assert.Contains("StringTooShort", problem, StringComparison.Ordinal);
        Assert.Contains("DateTimeExpected", problem, StringComparison.Ordinal);
        Assert.Contains("NoAdditionalPropertiesAllowed", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_example_that_does_not_round_trip_fails()
    {
        // Valid per the schema, but the record writes the instant back as +00:00: the example is not what the code emits.
        Write("widgets", "widget.made.v2", CurrentSchema, """{ "ownerId": "o1", "label": "blue", "madeAt": "2025-01-02T03:04:05Z" }""");

        var catalogue = await LoadAsync();
        Assert.Empty(catalogue.ExamplesThatDoNotValidate());
        Assert.Contains("does not round-trip", Assert.Single(catalogue.ExamplesThatDoNotRoundTrip()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_retired_example_whose_upcast_does_not_validate_fails()
    {
        var registry = new EventTypeRegistry().Register<WidgetMade>().AddUpcaster(new ForgetfulWidgetMadeV1Upcaster());
        var catalogue = await EventSchemaCatalogue.LoadAsync(registry, _root);

        var problem = Assert.Single(catalogue.RetiredExamplesThatDoNotUpcast());
        Assert.Contains("upcast to 'widget.made.v2' does not validate", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_schema_that_disagrees_with_its_record_fails()
    {
        var schema = JsonNode.Parse(CurrentSchema)!.AsObject();
        schema["additionalProperties"] = true;
        schema["properties"]!["label"]!.AsObject().Remove("x-personal-data");
        schema["properties"]!.AsObject().Remove("count");
        schema["required"]!.AsArray().Add("count");
        Write("widgets", "widget.made.v2", schema.ToJsonString(), CurrentExample);

        var problems = (await LoadAsync()).SchemasThatDisagreeWithTheirRecord().ToList();
        Assert.Contains(problems, p => p.Contains("additionalProperties", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("properties differ", StringComparison.Ordinal) && p.Contains("lacks [count]", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("required differ", StringComparison.Ordinal) && p.Contains("extra [count]", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("x-personal-data differ", StringComparison.Ordinal) && p.Contains("lacks [label]", StringComparison.Ordinal));
    }

    private Task<EventSchemaCatalogue> LoadAsync() =>
        EventSchemaCatalogue.LoadAsync(new EventTypeRegistry().Register<WidgetMade>().AddUpcaster(new WidgetMadeV1Upcaster()), _root);

    private void Write(string area, string name, string schema, string example)
    {
        Directory.CreateDirectory(Path.Combine(_root, area, "examples"));
        File.WriteAllText(Path.Combine(_root, area, name + ".schema.json"), schema);
        File.WriteAllText(Path.Combine(_root, area, "examples", name + ".json"), example);
    }
}
