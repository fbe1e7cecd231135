using KoderId.EventSourcing.Serialization;

namespace KoderId.EventSourcing.Conformance;

[EventType("conformance.person-registered.v1")]
public sealed record PersonRegistered(
    [property: DataSubject] string PersonId,
    [property: PersonalData] string Email,
    [property: PersonalData] string? DisplayName,
    string Plan);

[EventType("conformance.counter-incremented.v1")]
public sealed record CounterIncremented(string CounterId, int By);

/// <summary>The current shape of an event whose v1 stored a single <c>name</c>.</summary>
[EventType("conformance.thing-named.v2")]
public sealed record ThingNamed(string ThingId, string First, string Last);

public sealed class ThingNamedV1ToV2 : IEventUpcaster
{
    public string FromType => "conformance.thing-named.v1";
    public string ToType => "conformance.thing-named.v2";

    public System.Text.Json.Nodes.JsonObject Upcast(System.Text.Json.Nodes.JsonObject data)
    {
        var name = data["name"]?.GetValue<string>() ?? "";
        var space = name.IndexOf(' ', StringComparison.Ordinal);
        return new System.Text.Json.Nodes.JsonObject
        {
            ["thingId"] = data["thingId"]?.GetValue<string>(),
            ["first"] = space < 0 ? name : name[..space],
            ["last"] = space < 0 ? "" : name[(space + 1)..],
        };
    }
}

public static class TestEvents
{
    public static EventTypeRegistry Registry() => new EventTypeRegistry()
        .Register<PersonRegistered>()
        .Register<CounterIncremented>()
        .Register<ThingNamed>()
        .AddUpcaster(new ThingNamedV1ToV2());
}
