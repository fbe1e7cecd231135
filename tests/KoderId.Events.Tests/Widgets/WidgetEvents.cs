using System.Text.Json.Nodes;
using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Tests.Widgets;

// A throw-away event family for the schema-rule tests; never part of EventCatalog.

[EventType("widget.made.v2")]
public sealed record WidgetMade([property: DataSubject] string OwnerId, [property: PersonalData] string Label, DateTimeOffset MadeAt, int? Count = null);

public sealed class WidgetMadeV1Upcaster : IEventUpcaster
{
    public string FromType => "widget.made.v1";

    public string ToType => "widget.made.v2";

    public JsonObject Upcast(JsonObject data)
    {
        var v2 = (JsonObject)data.DeepClone();
        v2["label"] = v2["title"]?.DeepClone();
        v2.Remove("title");
        return v2;
    }
}

/// <summary>Forgets to rename <c>title</c>: its output is not a valid v2.</summary>
public sealed class ForgetfulWidgetMadeV1Upcaster : IEventUpcaster
{
    public string FromType => "widget.made.v1";

    public string ToType => "widget.made.v2";

    public JsonObject Upcast(JsonObject data) => (JsonObject)data.DeepClone();
}
