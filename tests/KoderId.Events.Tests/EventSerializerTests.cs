using System.Text.Json.Nodes;
using KoderId.Events.Credentials;
using KoderId.Events.Sessions;
using KoderId.Events.Users;
using KoderId.EventSourcing.InMemory;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;

namespace KoderId.Events.Tests;

/// <summary>The real events through the serializer and the in-memory store: crypto-shredding and upcasting end to end.</summary>
public sealed class EventSerializerTests
{
    private const string Tenant = "acme";
    private const string UserId = "01JQ4Z8M6X2K9V3T5R7N1P0ABC";
    private const string Stream = "user-" + UserId;

    private readonly InMemoryEventStore _store = new();
    private readonly EventSerializer _serializer;

    public EventSerializerTests() => _serializer = new EventSerializer(EventCatalog.CreateRegistry(), _store);

    private static UserCreated Alice => new(UserId, "alice", "alice@example.com", EmailVerified: true, GivenName: "Alice", FamilyName: "Liddell", Phone: "+15555550100", PreferredLanguage: "en");

    [Fact]
    public async Task personal_fields_are_stored_encrypted_and_everything_else_in_clear()
    {
        await AppendAsync(Alice);

        var data = (await ReadAsync()).Single().Data;
        Assert.DoesNotContain("alice@example.com", data, StringComparison.Ordinal);
        Assert.DoesNotContain("Liddell", data, StringComparison.Ordinal);
        Assert.DoesNotContain("+15555550100", data, StringComparison.Ordinal);
        var json = JsonNode.Parse(data)!;
        foreach (var field in new[] { "username", "email", "givenName", "familyName", "phone" })
        {
            Assert.StartsWith(PersonalData.EncryptedPrefix, json[field]!.GetValue<string>(), StringComparison.Ordinal);
        }

        Assert.Equal(UserId, json["userId"]!.GetValue<string>());
        Assert.True(json["emailVerified"]!.GetValue<bool>());
        Assert.Equal("en", json["preferredLanguage"]!.GetValue<string>());
    }

    [Fact]
    public async Task personal_fields_read_back_in_clear_while_the_subject_key_exists()
    {
        await AppendAsync(Alice);

        var decoded = await _serializer.DeserializeAsync((await ReadAsync()).Single());

        Assert.Equal(Alice, decoded.Event);
        Assert.Empty(decoded.ErasedFields);
    }

    [Fact]
    public async Task personal_fields_read_as_erased_once_the_subject_key_is_erased()
    {
        await AppendAsync(Alice, new UserEmailChanged(UserId, "alice@example.org", EmailVerified: false));
        await AppendAsync(new UserErased(UserId));

        Assert.True(await _store.EraseAsync(Tenant, UserId));
        var events = new List<DecodedEvent>();
        foreach (var stored in await ReadAsync())
        {
            events.Add(await _serializer.DeserializeAsync(stored));
        }

        var created = Assert.IsType<UserCreated>(events[0].Event);
        Assert.Equal(
            Alice with { Username = PersonalData.Erased, Email = PersonalData.Erased, GivenName = PersonalData.Erased, FamilyName = PersonalData.Erased, Phone = PersonalData.Erased },
            created);
        Assert.Equal(["email", "familyName", "givenName", "phone", "username"], events[0].ErasedFields.Order(StringComparer.Ordinal));
        Assert.Equal(new UserEmailChanged(UserId, PersonalData.Erased, false), events[1].Event);
        Assert.Equal(new UserErased(UserId), events[2].Event);
    }

    [Fact]
    public async Task erasing_one_user_leaves_every_other_user_readable()
    {
        const string bob = "01JQ4Z8M6X2K9V3T5R7N1P0BOB";
        await AppendAsync(Alice);
        var bobCreated = new UserCreated(bob, "bob", "bob@example.com", EmailVerified: false);
        await _store.AppendAsync(new AppendRequest(Tenant, "user-" + bob, ExpectedVersion.NoStream, [await _serializer.SerializeAsync(Tenant, bobCreated, EventMetadata.New())]));

        await _store.EraseAsync(Tenant, UserId);

        var bobStored = await _store.ReadStreamAsync(Tenant, "user-" + bob).SingleAsync();
        Assert.Equal(bobCreated, (await _serializer.DeserializeAsync(bobStored)).Event);
    }

    [Fact]
    public async Task a_password_hash_never_reaches_the_log_in_clear_and_is_gone_after_erasure()
    {
        const string hash = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A";
        await AppendAsync(new UserPasswordSet(UserId, hash, ChangeRequired: false));

        var stored = (await ReadAsync()).Single();
        Assert.DoesNotContain("argon2id", stored.Data, StringComparison.Ordinal);
        Assert.Equal(hash, ((UserPasswordSet)(await _serializer.DeserializeAsync(stored)).Event).PasswordHash);

        await _store.EraseAsync(Tenant, UserId);
        Assert.Equal(PersonalData.Erased, ((UserPasswordSet)(await _serializer.DeserializeAsync(stored)).Event).PasswordHash);
    }

    [Fact]
    public async Task a_session_keeps_its_ip_address_and_user_agent_encrypted()
    {
        var started = new SessionStarted("ses_1", UserId, ["pwd"], new DateTimeOffset(2025, 6, 1, 18, 30, 0, TimeSpan.Zero), "203.0.113.42", "Firefox/128.0");
        await _store.AppendAsync(new AppendRequest(Tenant, "session-ses_1", ExpectedVersion.NoStream, [await _serializer.SerializeAsync(Tenant, started, EventMetadata.New())]));

        var stored = await _store.ReadStreamAsync(Tenant, "session-ses_1").SingleAsync();
        Assert.DoesNotContain("203.0.113.42", stored.Data, StringComparison.Ordinal);
        var decoded = (SessionStarted)(await _serializer.DeserializeAsync(stored)).Event;
        Assert.Equal(("203.0.113.42", "Firefox/128.0", "pwd"), (decoded.ClientIp, decoded.UserAgent, decoded.AuthMethods.Single()));
    }

    [Fact]
    public async Task a_stored_v1_profile_update_is_read_as_v2()
    {
        const string v1 = """{"userId":"01JQ4Z8M6X2K9V3T5R7N1P0ABC","name":"Alice P. Liddell","locale":"en"}""";
        await _store.AppendAsync(new AppendRequest(Tenant, Stream, ExpectedVersion.NoStream,
            [new UncommittedEvent("user.profile-updated.v1", v1, EventMetadata.New("admin"))]));

        var stored = (await ReadAsync()).Single();
        var decoded = await _serializer.DeserializeAsync(stored);

        Assert.Equal("user.profile-updated.v1", stored.EventType);
        Assert.Equal(new UserProfileUpdated(UserId, DisplayName: "Alice P. Liddell", PreferredLanguage: "en"), decoded.Event);
    }

    [Fact]
    public async Task a_v1_profile_update_written_with_an_encrypted_name_is_upcast_then_decrypted_then_erasable()
    {
        // What the build that wrote v1 stored: the name encrypted under the user's key. The upcaster moves the
        // ciphertext to displayName untouched; the serializer decrypts it as the v2 personal field it now is.
        var asV2 = await _serializer.SerializeAsync(Tenant, new UserProfileUpdated(UserId, DisplayName: "Alice P. Liddell"), EventMetadata.New());
        var json = JsonNode.Parse(asV2.Data)!.AsObject();
        json["name"] = json["displayName"]!.DeepClone();
        json.Remove("displayName");
        await _store.AppendAsync(new AppendRequest(Tenant, Stream, ExpectedVersion.NoStream,
            [new UncommittedEvent("user.profile-updated.v1", json.ToJsonString(), EventMetadata.New())]));
        var stored = (await ReadAsync()).Single();
        Assert.DoesNotContain("Liddell", stored.Data, StringComparison.Ordinal);

        Assert.Equal(new UserProfileUpdated(UserId, DisplayName: "Alice P. Liddell"), (await _serializer.DeserializeAsync(stored)).Event);

        await _store.EraseAsync(Tenant, UserId);
        var erased = await _serializer.DeserializeAsync(stored);
        Assert.Equal(new UserProfileUpdated(UserId, DisplayName: PersonalData.Erased), erased.Event);
        Assert.Equal(["displayName"], erased.ErasedFields);
    }

    [Fact]
    public async Task an_event_without_personal_data_needs_no_subject_key()
    {
        await AppendAsync(new UserDisabled(UserId, "left the company"));

        Assert.Null(await _store.TryGetKeyAsync(Tenant, UserId));
        Assert.Equal(new UserDisabled(UserId, "left the company"), (await _serializer.DeserializeAsync((await ReadAsync()).Single())).Event);
    }

    private async Task AppendAsync(params object[] events)
    {
        var uncommitted = new List<UncommittedEvent>();
        foreach (var e in events)
        {
            uncommitted.Add(await _serializer.SerializeAsync(Tenant, e, EventMetadata.New("admin")));
        }

        await _store.AppendAsync(new AppendRequest(Tenant, Stream, ExpectedVersion.Any, uncommitted));
    }

    private async Task<List<StoredEvent>> ReadAsync() => await _store.ReadStreamAsync(Tenant, Stream).ToListAsync();
}
