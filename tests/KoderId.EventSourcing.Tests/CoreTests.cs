using KoderId.EventSourcing.Conformance;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;

namespace KoderId.EventSourcing.Tests;

public sealed class ExpectedVersionTests
{
    [Fact]
    public void each_kind_accepts_exactly_its_versions()
    {
        Assert.True(ExpectedVersion.Any.IsSatisfiedBy(0));
        Assert.True(ExpectedVersion.Any.IsSatisfiedBy(42));
        Assert.True(ExpectedVersion.NoStream.IsSatisfiedBy(0));
        Assert.False(ExpectedVersion.NoStream.IsSatisfiedBy(1));
        Assert.True(ExpectedVersion.Exact(3).IsSatisfiedBy(3));
        Assert.False(ExpectedVersion.Exact(3).IsSatisfiedBy(2));
        Assert.Equal(ExpectedVersion.NoStream, ExpectedVersion.At(0));
        Assert.Equal(ExpectedVersion.Exact(5), ExpectedVersion.At(5));
    }

    [Fact]
    public void an_exact_version_below_one_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ExpectedVersion.Exact(0));
}

public sealed class HashChainTests
{
    private static readonly EventMetadata Metadata = new()
    {
        EventId = Guid.Parse("0b9f8e3c-6f55-4c8e-9a59-1f2d3c4b5a69"),
        Timestamp = TimeStamps.FromUnixMicroseconds(1_795_000_000_000_000),
        Actor = "system",
    };

    [Fact]
    // The expected value was computed independently (Python hashlib) from the encoding in docs/adr/0001-event-store.md.
    public void the_encoding_is_pinned_so_every_driver_and_release_computes_the_same_link()
    {
        var hash = HashChain.Compute(HashChain.Genesis, 1, "user-1", 1, "default", "user.created.v1", """{"userId":"1"}""", Metadata);
        Assert.Equal("1e382a91685e03721ff24c492212ba1caebd1495554e5af267ed83fed2c09dfe", Convert.ToHexStringLower(hash));
    }

    [Fact]
    public void every_field_changes_the_link()
    {
        var baseline = Convert.ToHexStringLower(HashChain.Compute(HashChain.Genesis, 1, "s", 1, "t", "x.v1", "{}", Metadata));
        string[] variants =
        [
            Convert.ToHexStringLower(HashChain.Compute(new byte[32].Select(_ => (byte)1).ToArray(), 1, "s", 1, "t", "x.v1", "{}", Metadata)),
            Convert.ToHexStringLower(HashChain.Compute(HashChain.Genesis, 2, "s", 1, "t", "x.v1", "{}", Metadata)),
            Convert.ToHexStringLower(HashChain.Compute(HashChain.Genesis, 1, "s2", 1, "t", "x.v1", "{}", Metadata)),
            Convert.ToHexStringLower(HashChain.Compute(HashChain.Genesis, 1, "s", 2, "t", "x.v1", "{}", Metadata)),
            Convert.ToHexStringLower(HashChain.Compute(HashChain.Genesis, 1, "s", 1, "t2", "x.v1", "{}", Metadata)),
            Convert.ToHexStringLower(HashChain.Compute(HashChain.Genesis, 1, "s", 1, "t", "x.v2", "{}", Metadata)),
            Convert.ToHexStringLower(HashChain.Compute(HashChain.Genesis, 1, "s", 1, "t", "x.v1", "{ }", Metadata)),
            Convert.ToHexStringLower(HashChain.Compute(HashChain.Genesis, 1, "s", 1, "t", "x.v1", "{}", Metadata with { Actor = null })),
            Convert.ToHexStringLower(HashChain.Compute(HashChain.Genesis, 1, "s", 1, "t", "x.v1", "{}", Metadata with { ClientIp = "" })),
            Convert.ToHexStringLower(HashChain.Compute(HashChain.Genesis, 1, "s", 1, "t", "x.v1", "{}", Metadata with { EventId = Guid.NewGuid() })),
            Convert.ToHexStringLower(HashChain.Compute(HashChain.Genesis, 1, "s", 1, "t", "x.v1", "{}", Metadata with { Timestamp = Metadata.Timestamp.AddTicks(10) })),
        ];

        Assert.DoesNotContain(baseline, variants);
        Assert.Equal(variants.Length, variants.Distinct().Count());
    }

    [Fact]
    public void length_prefixes_keep_adjacent_fields_apart()
    {
        var a = HashChain.Compute(HashChain.Genesis, 1, "ab", 1, "c", "x.v1", "{}", Metadata);
        var b = HashChain.Compute(HashChain.Genesis, 1, "a", 1, "bc", "x.v1", "{}", Metadata);
        Assert.NotEqual(a, b);
    }
}

public sealed class EventTypeRegistryTests
{
    [Fact]
    public void personal_fields_and_their_subject_are_discovered_from_attributes()
    {
        var info = TestEvents.Registry().Get(typeof(PersonRegistered));
        Assert.Equal("conformance.person-registered.v1", info.Name);
        Assert.Equal(["displayName", "email"], info.PersonalFields.Order(StringComparer.Ordinal));
        Assert.Equal("personId", info.SubjectField);
    }

    [Fact]
    public void a_retired_type_resolves_through_its_upcaster_and_an_unknown_one_is_a_typed_error()
    {
        var registry = TestEvents.Registry();
        Assert.Equal(typeof(ThingNamed), registry.Resolve("conformance.thing-named.v1").ClrType);
        Assert.Throws<UnknownEventTypeException>(() => registry.Resolve("conformance.thing-named.v0"));
    }

    [Fact]
    public void personal_data_without_a_subject_is_refused_at_registration() =>
        Assert.Throws<InvalidOperationException>(() => new EventTypeRegistry().Register<NoSubject>());

    [Fact]
    public void personal_data_that_is_not_a_string_is_refused_at_registration() =>
        Assert.Throws<InvalidOperationException>(() => new EventTypeRegistry().Register<NumericPersonalData>());

    [Fact]
    public void two_records_cannot_share_a_wire_name() =>
        Assert.Throws<InvalidOperationException>(() => new EventTypeRegistry().Register<Clash1>().Register<Clash2>());

    [Fact]
    public void an_upcaster_cannot_shadow_a_current_type() =>
        Assert.Throws<InvalidOperationException>(() => new EventTypeRegistry().Register<ThingNamed>().AddUpcaster(new ShadowingUpcaster()));

    [EventType("test.no-subject.v1")]
    private sealed record NoSubject([property: PersonalData] string Email);

    [EventType("test.numeric.v1")]
    private sealed record NumericPersonalData([property: DataSubject] string Id, [property: PersonalData] int Age);

    [EventType("test.clash.v1")]
    private sealed record Clash1(string A);

    [EventType("test.clash.v1")]
    private sealed record Clash2(string B);

    private sealed class ShadowingUpcaster : IEventUpcaster
    {
        public string FromType => "conformance.thing-named.v2";
        public string ToType => "conformance.thing-named.v3";
        public System.Text.Json.Nodes.JsonObject Upcast(System.Text.Json.Nodes.JsonObject data) => data;
    }
}

public sealed class SerializerBadDataTests
{
    [Fact]
    public async Task a_data_subject_that_is_not_a_string_is_a_typed_error()
    {
        var store = new InMemory.InMemoryEventStore();
        await store.AppendAsync(new AppendRequest("t", "s", ExpectedVersion.Any,
            [new UncommittedEvent("conformance.person-registered.v1", """{"personId":42,"email":"x","plan":"p"}""", EventMetadata.New())]));
        var stored = await store.ReadAllAsync(0).FirstAsync();

        var ex = await Assert.ThrowsAsync<InvalidEventDataException>(() => new EventSerializer(TestEvents.Registry(), store).DeserializeAsync(stored).AsTask());
        Assert.Equal("KID3007", ex.Code);
    }

    [Fact]
    public async Task an_upcaster_that_cannot_read_the_row_is_a_typed_error()
    {
        var store = new InMemory.InMemoryEventStore();
        await store.AppendAsync(new AppendRequest("t", "s", ExpectedVersion.Any,
            [new UncommittedEvent("conformance.thing-named.v1", """{"thingId":"t1","name":7}""", EventMetadata.New())]));
        var stored = await store.ReadAllAsync(0).FirstAsync();

        await Assert.ThrowsAsync<InvalidEventDataException>(() => new EventSerializer(TestEvents.Registry(), store).DeserializeAsync(stored).AsTask());
    }
}
