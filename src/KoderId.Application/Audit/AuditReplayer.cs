using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;

namespace KoderId.Application.Audit;

/// <summary>Who an event is about: the id part of its stream name and the ids its data names.</summary>
/// <param name="UserId">The user the event is about: its <c>userId</c>, or the user of a <c>user-</c>, <c>mfa-</c> or <c>passkeys-</c> stream.</param>
public sealed record AuditSubjects(string? StreamKind, string? StreamSubject, string? UserId, string? ClientId, string? SessionId)
{
    public bool Matches(string subject) =>
        string.Equals(StreamSubject, subject, StringComparison.Ordinal) || string.Equals(UserId, subject, StringComparison.Ordinal) ||
        string.Equals(ClientId, subject, StringComparison.Ordinal) || string.Equals(SessionId, subject, StringComparison.Ordinal);

    /// <summary>Reads the subjects without decrypting anything: ids are never personal fields.</summary>
    public static AuditSubjects Of(StoredEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var (kind, subject) = SplitStream(e.StreamId, e.TenantId);
        string? userId = null, clientId = null, sessionId = null;
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(e.Data));
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.ValueSpan;
                    var target = name.SequenceEqual("userId"u8) ? 1 : name.SequenceEqual("clientId"u8) ? 2 : name.SequenceEqual("sessionId"u8) ? 3 : 0;
                    reader.Read();
                    if (target != 0 && reader.TokenType == JsonTokenType.String)
                    {
                        var value = reader.GetString();
                        _ = target switch { 1 => userId = value, 2 => clientId = value, _ => sessionId = value };
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
        }
        catch (JsonException)
        {
            // A tampered row is still replayed (audit verify names it); it just names no subject in its data.
        }

        userId ??= kind is "user" or "mfa" or "passkeys" ? subject : null;
        clientId ??= kind == "client" ? subject : null;
        sessionId ??= kind == "session" ? subject : null;
        return new AuditSubjects(kind, subject, userId, clientId, sessionId);
    }

    /// <summary><c>user-acme-42</c> of tenant <c>acme</c> is kind <c>user</c>, subject <c>42</c> (see StreamNames).</summary>
    public static (string? Kind, string? Subject) SplitStream(string streamId, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        var marker = $"-{tenantId}-";
        var at = streamId.IndexOf(marker, StringComparison.Ordinal);
        if (at <= 0)
        {
            return (null, null);
        }

        var subject = streamId[(at + marker.Length)..];
        return (streamId[..at], subject.Length == 0 ? null : subject);
    }
}

/// <summary>One replayed event: the stored row, its data decoded for reading, and who it is about.</summary>
/// <param name="Data">The event's fields: personal ones decrypted, or <c>[erased]</c> once the subject's key is gone; secrets (hashes, seeds) <c>[redacted]</c>.</param>
/// <param name="Problem">Why the data could not be decoded (an unknown type, a malformed row): the row is still replayed, as stored.</param>
public sealed record AuditRecord(StoredEvent Stored, AuditSubjects Subjects, JsonObject Data, IReadOnlyList<string> ErasedFields, string? Problem = null);

/// <summary>Where a replay is: events read so far and the log position reached, of the head when it started.</summary>
public readonly record struct ReplayProgress(long Scanned, long Matched, long Position, long Head);

/// <summary>
/// Replays one tenant's history from the log itself (not from the audit read model, which a rebuild or a bug could
/// leave incomplete): in position order, filtered, decoded, streamed one event at a time. Reading pages of the log
/// keeps no driver cursor open over millions of rows and the memory flat whatever the range.
/// </summary>
public sealed class AuditReplayer(IEventStore store, EventTypeRegistry registry, ISubjectKeyStore keys)
{
    public const int PageSize = 10_000;
    public const string Redacted = "[redacted]";
    public const string Encrypted = "[encrypted]";

    /// <summary>How often (events scanned) progress is reported.</summary>
    public const int ProgressEvery = 10_000;

    // A replay decrypts every personal field of the range; one key read per subject, not per event.
    private readonly EventSerializer _serializer = new(registry, new CachedKeys(keys));

    public async IAsyncEnumerable<AuditRecord> ReplayAsync(AuditReplayQuery query, IProgress<ReplayProgress>? progress = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var head = (await store.ReadHeadAsync(ct).ConfigureAwait(false)).Position;
        long cursor = 0, scanned = 0, matched = 0;
        while (true)
        {
            var count = 0;
            await foreach (var e in store.ReadAllAsync(cursor, PageSize, ct).ConfigureAwait(false))
            {
                cursor = e.Position;
                count++;
                scanned++;
                if (scanned % ProgressEvery == 0)
                {
                    progress?.Report(new ReplayProgress(scanned, matched, cursor, Math.Max(head, cursor)));
                }

                if ((query.TenantId is not null && !string.Equals(e.TenantId, query.TenantId, StringComparison.Ordinal)) ||
                    (query.Actor is not null && !string.Equals(e.Metadata.Actor, query.Actor, StringComparison.Ordinal)) ||
                    !query.MatchesType(e.EventType) || !query.MatchesTime(e.Metadata.Timestamp))
                {
                    continue;
                }

                var subjects = AuditSubjects.Of(e);
                if (query.Subject is not null && !subjects.Matches(query.Subject))
                {
                    continue;
                }

                matched++;
                yield return await DecodeAsync(e, subjects, ct).ConfigureAwait(false);
            }

            if (count < PageSize)
            {
                break;
            }
        }

        progress?.Report(new ReplayProgress(scanned, matched, cursor, Math.Max(head, cursor)));
    }

    /// <summary>Decodes one event for reading; never throws for the row's content (an erased key, an unknown type, bad JSON).</summary>
    public async Task<AuditRecord> DecodeAsync(StoredEvent e, AuditSubjects subjects, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(subjects);
        if (registry.IsKnown(e.EventType))
        {
            try
            {
                var (node, erased) = await _serializer.DecodeJsonAsync(e, ct).ConfigureAwait(false);
                Redact(node);
                return new AuditRecord(e, subjects, node, erased);
            }
            catch (InvalidEventDataException ex)
            {
                return Raw(e, subjects, ex.Code);
            }
        }

        // A type this build does not know (a newer node wrote it): shown as stored, personal fields still encrypted.
        return Raw(e, subjects, "KID3005");
    }

    private static AuditRecord Raw(StoredEvent e, AuditSubjects subjects, string problem)
    {
        JsonObject node;
        try
        {
            node = JsonNode.Parse(e.Data) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            node = new JsonObject { ["raw"] = e.Data };
        }

        Redact(node);
        return new AuditRecord(e, subjects, node, [], problem);
    }

    /// <summary>
    /// A replay is read by people and shipped to SIEMs: a password hash, a secret's hash or a TOTP seed is an
    /// offline-attack target there, so such fields (by name, also in event types to come) read as [redacted].
    /// </summary>
    internal static void Redact(JsonObject node)
    {
        foreach (var name in node.Select(p => p.Key).ToArray())
        {
            switch (node[name])
            {
                case JsonObject child:
                    Redact(child);
                    break;
                case JsonValue value when value.TryGetValue<string>(out var text) && text.StartsWith(PersonalData.EncryptedPrefix, StringComparison.Ordinal):
                    node[name] = IsSecret(name) ? Redacted : Encrypted;
                    break;
                case not null when IsSecret(name):
                    node[name] = Redacted;
                    break;
            }
        }
    }

    private static bool IsSecret(string name) =>
        name.Contains("password", StringComparison.OrdinalIgnoreCase) || name.Contains("secret", StringComparison.OrdinalIgnoreCase) ||
        name.Contains("seed", StringComparison.OrdinalIgnoreCase) || name.Contains("private", StringComparison.OrdinalIgnoreCase) ||
        name.Contains("tokenHash", StringComparison.OrdinalIgnoreCase) || name.Contains("recoveryCode", StringComparison.OrdinalIgnoreCase);

    /// <summary>Read-through key cache for one replay (keys are only read here; erasure goes to the real store).</summary>
    private sealed class CachedKeys(ISubjectKeyStore inner) : ISubjectKeyStore
    {
        private const int MaxEntries = 10_000;
        private readonly Dictionary<(string, string), byte[]?> _keys = [];

        public Task<byte[]> GetOrCreateKeyAsync(string tenantId, string subjectId, CancellationToken ct = default) =>
            inner.GetOrCreateKeyAsync(tenantId, subjectId, ct);

        public async Task<byte[]?> TryGetKeyAsync(string tenantId, string subjectId, CancellationToken ct = default)
        {
            if (_keys.TryGetValue((tenantId, subjectId), out var key))
            {
                return key;
            }

            key = await inner.TryGetKeyAsync(tenantId, subjectId, ct).ConfigureAwait(false);
            if (_keys.Count >= MaxEntries)
            {
                _keys.Clear();
            }

            _keys[(tenantId, subjectId)] = key;
            return key;
        }

        public Task<bool> EraseAsync(string tenantId, string subjectId, CancellationToken ct = default) => inner.EraseAsync(tenantId, subjectId, ct);
    }
}
