using KoderId.EventSourcing.InMemory;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;

namespace KoderId.Events.Tests;

public sealed class StoredEventDiagnosticsTests
{
    [Theory]
    [InlineData("user.disabled.v1", """{"userId":42}""")]
    [InlineData("user.created.v1", """{"userId":"u1","username":"alice","emailVerified":"not a bool"}""")]
    public async Task a_stored_event_that_does_not_fit_its_record_is_reported_with_its_position(string type, string data)
    {
        var store = new InMemoryEventStore();
        var serializer = new EventSerializer(EventCatalog.CreateRegistry(), store);
        await store.AppendAsync(new AppendRequest("acme", "user-u0", ExpectedVersion.NoStream, [new UncommittedEvent("user.enabled.v1", """{"userId":"u0"}""", EventMetadata.New())]));
        await store.AppendAsync(new AppendRequest("acme", "user-u1", ExpectedVersion.NoStream, [new UncommittedEvent(type, data, EventMetadata.New())]));
        var stored = await store.ReadStreamAsync("acme", "user-u1").SingleAsync();

        var error = await Assert.ThrowsAsync<InvalidEventDataException>(async () => await serializer.DeserializeAsync(stored));

        Assert.Equal("KID3007", error.Code);
        Assert.Contains("position 2", error.Message, StringComparison.Ordinal);
        Assert.Contains(type, error.Message, StringComparison.Ordinal);
    }
}
