using KoderId.EventSourcing.Serialization;

namespace KoderId.Events;

/// <summary>Every domain event record and upcaster of Koder ID, registered by wire name.</summary>
public static class EventCatalog
{
    public static EventTypeRegistry CreateRegistry() => new EventTypeRegistry().RegisterAssembly(typeof(EventCatalog).Assembly);
}
