using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.EventSourcing.Storage;

namespace KoderId.EventSourcing.Serialization;

/// <summary>An event read back from the log: the raw row and the typed record (upcast, personal data decrypted or erased).</summary>
public sealed record DecodedEvent(StoredEvent Stored, object Event)
{
    /// <summary>Personal fields that could not be decrypted because the subject's key is erased.</summary>
    public IReadOnlyList<string> ErasedFields { get; init; } = [];
}

/// <summary>
/// Turns typed events into stored JSON and back. Personal fields are encrypted with AES-256-GCM under the
/// data subject's key (associated data binds tenant and subject, so a ciphertext cannot be moved to another
/// subject); on read, retired versions are upcast first and fields whose key is erased read as <see cref="PersonalData.Erased"/>.
/// </summary>
public sealed class EventSerializer(EventTypeRegistry registry, ISubjectKeyStore keys)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    private const int NonceSize = 12;
    private const int TagSize = 16;

    public EventTypeRegistry Registry => registry;

    /// <summary>
    /// Creates the subject keys of many new data subjects in one go, before their events are serialized (bulk imports),
    /// and returns them: hand them to <see cref="SerializeAsync(string, object, EventMetadata, IReadOnlyDictionary{string, byte[]}?, CancellationToken)"/>
    /// so the batch's events are encrypted without a key lookup each.
    /// </summary>
    public Task<IReadOnlyDictionary<string, byte[]>> PrepareKeysAsync(string tenantId, IReadOnlyCollection<string> subjectIds, CancellationToken ct = default) =>
        keys.GetOrCreateKeysAsync(tenantId, subjectIds, ct);

    public ValueTask<UncommittedEvent> SerializeAsync(string tenantId, object @event, EventMetadata metadata, CancellationToken ct = default) =>
        SerializeAsync(tenantId, @event, metadata, null, ct);

    /// <param name="knownKeys">Subject keys already at hand (<see cref="PrepareKeysAsync"/>); a subject not in it is looked up (and created) in the store.</param>
    public async ValueTask<UncommittedEvent> SerializeAsync(
        string tenantId, object @event, EventMetadata metadata, IReadOnlyDictionary<string, byte[]>? knownKeys, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var info = registry.Get(@event.GetType());
        if (!info.HasPersonalData)
        {
            return new UncommittedEvent(info.Name, JsonSerializer.Serialize(@event, info.ClrType, JsonOptions), metadata, @event);
        }

        var node = (JsonObject)JsonSerializer.SerializeToNode(@event, info.ClrType, JsonOptions)!;
        var subject = node[info.SubjectField!]?.GetValue<string>();
        if (string.IsNullOrEmpty(subject))
        {
            throw new InvalidAppendException($"'{info.Name}' carries personal data but its data subject is empty.");
        }

        // One cipher and one associated data per event, not per field.
        AesGcm? aes = null;
        byte[]? associated = null;
        try
        {
            foreach (var field in info.PersonalFields)
            {
                if (node[field] is JsonValue value && value.TryGetValue<string>(out var clear))
                {
                    if (aes is null)
                    {
                        var key = knownKeys is not null && knownKeys.TryGetValue(subject, out var known)
                            ? known
                            : await keys.GetOrCreateKeyAsync(tenantId, subject, ct).ConfigureAwait(false);
                        aes = new AesGcm(key, TagSize);
                        associated = AssociatedData(tenantId, subject);
                    }

                    node[field] = Encrypt(aes, associated!, clear);
                }
            }
        }
        finally
        {
            aes?.Dispose();
        }

        return new UncommittedEvent(info.Name, node.ToJsonString(JsonOptions), metadata, @event);
    }

    public async ValueTask<DecodedEvent> DeserializeAsync(StoredEvent stored, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var info = registry.Resolve(stored.EventType);
        var upcast = !string.Equals(info.Name, stored.EventType, StringComparison.Ordinal);
        if (!upcast && !info.HasPersonalData)
        {
            return new DecodedEvent(stored, Deserialize(stored, info));
        }

        var (node, erased) = await DecodeNodeAsync(stored, info, ct).ConfigureAwait(false);
        object @event;
        try
        {
            @event = node.Deserialize(info.ClrType, JsonOptions)!;
        }
        catch (JsonException ex)
        {
            throw new InvalidEventDataException(stored.Position, stored.EventType, ex);
        }

        return new DecodedEvent(stored, @event) { ErasedFields = erased };
    }

    /// <summary>
    /// The event's JSON as its current version reads it (upcast), personal fields decrypted or <see cref="PersonalData.Erased"/>,
    /// without binding it to its record: for readers that only show the fields (audit replay), at half the cost.
    /// </summary>
    public async ValueTask<(JsonObject Data, IReadOnlyList<string> ErasedFields)> DecodeJsonAsync(StoredEvent stored, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return await DecodeNodeAsync(stored, registry.Resolve(stored.EventType), ct).ConfigureAwait(false);
    }

    private async ValueTask<(JsonObject Data, IReadOnlyList<string> ErasedFields)> DecodeNodeAsync(StoredEvent stored, EventTypeInfo info, CancellationToken ct)
    {
        JsonObject node;
        try
        {
            node = JsonNode.Parse(stored.Data) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException ex)
        {
            throw new InvalidEventDataException(stored.Position, stored.EventType, ex);
        }

        string? subject;
        try
        {
            var wire = stored.EventType;
            while (!string.Equals(wire, info.Name, StringComparison.Ordinal))
            {
                registry.TryGetUpcaster(wire, out var up);
                node = up.Upcast(node);
                wire = up.ToType;
            }

            subject = info.HasPersonalData && node[info.SubjectField!] is JsonValue subjectValue ? subjectValue.GetValue<string>() : null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or JsonException or NullReferenceException or ArgumentException)
        {
            // An upcaster that cannot read this row, or a data subject that is not a string: bad data, not a crash.
            throw new InvalidEventDataException(stored.Position, stored.EventType, ex);
        }

        List<string>? erased = null;
        if (info.HasPersonalData)
        {
            // One cipher and one associated data per event, not per field: a replay decrypts millions of fields.
            AesGcm? aes = null;
            byte[]? associated = null;
            var keyLoaded = false;
            try
            {
                foreach (var field in info.PersonalFields)
                {
                    if (node[field] is not JsonValue value || !value.TryGetValue<string>(out var stored64) ||
                        !stored64.StartsWith(PersonalData.EncryptedPrefix, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    if (!keyLoaded && !string.IsNullOrEmpty(subject))
                    {
                        var key = await keys.TryGetKeyAsync(stored.TenantId, subject, ct).ConfigureAwait(false);
                        keyLoaded = true;
                        if (key is not null)
                        {
                            aes = new AesGcm(key, TagSize);
                            associated = AssociatedData(stored.TenantId, subject);
                        }
                    }

                    var clear = aes is null ? null : Decrypt(aes, associated!, stored64);
                    if (clear is null)
                    {
                        (erased ??= []).Add(field);
                    }

                    node[field] = clear ?? PersonalData.Erased;
                }
            }
            finally
            {
                aes?.Dispose();
            }
        }

        return (node, erased ?? (IReadOnlyList<string>)[]);
    }

    private static object Deserialize(StoredEvent stored, EventTypeInfo info)
    {
        try
        {
            return JsonSerializer.Deserialize(stored.Data, info.ClrType, JsonOptions)
                   ?? throw new JsonException("null event");
        }
        catch (JsonException ex)
        {
            throw new InvalidEventDataException(stored.Position, stored.EventType, ex);
        }
    }

    private static string Encrypt(AesGcm aes, byte[] associatedData, string clear)
    {
        var plain = Encoding.UTF8.GetBytes(clear);
        var output = new byte[NonceSize + TagSize + plain.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), associatedData);
        return PersonalData.EncryptedPrefix + Convert.ToBase64String(output);
    }

    private static string? Decrypt(AesGcm aes, byte[] associatedData, string stored)
    {
        try
        {
            var bytes = Convert.FromBase64String(stored[PersonalData.EncryptedPrefix.Length..]);
            if (bytes.Length < NonceSize + TagSize)
            {
                return null;
            }

            var plain = new byte[bytes.Length - NonceSize - TagSize];
            aes.Decrypt(bytes.AsSpan(0, NonceSize), bytes.AsSpan(NonceSize + TagSize), bytes.AsSpan(NonceSize, TagSize), plain, associatedData);
            return Encoding.UTF8.GetString(plain);
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return null;
        }
    }

    private static byte[] AssociatedData(string tenantId, string subject) => Encoding.UTF8.GetBytes($"{tenantId}\n{subject}");
}

/// <summary>A stored event's JSON does not fit its registered record.</summary>
public sealed class InvalidEventDataException(long position, string eventType, Exception inner)
    : EventStoreException("KID3007", $"Event at position {position} ('{eventType}') cannot be read as its registered type.", inner);
