using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Groups;
using KoderId.Domain.Roles;
using KoderId.Domain.Sessions;
using KoderId.Domain.Users;
using KoderId.Events.Credentials;
using KoderId.Events.Sessions;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;

namespace KoderId.Application.Audit;

public sealed record AccountPassword(bool Set, DateTimeOffset? SetAt, bool ChangeRequired, string? Reason);

/// <summary>
/// A second factor as far as the log tells: TOTP, recovery codes or a passkey, from the events of the user's
/// <c>mfa-</c> and <c>passkeys-</c> streams (or any <c>mfa.</c> / <c>passkey.</c> event naming the user). Read
/// generically by wire name (enrolled / registered / added / imported vs removed / revoked / deleted / reset), so
/// factors appear here as soon as their features append events, without this code knowing their records.
/// </summary>
public sealed record AccountFactor(string Kind, string? CredentialId, DateTimeOffset Since, string EventType);

public sealed record AccountGroup(string GroupId, string Name);

/// <param name="Via">"direct", or the id of the group that gives the role.</param>
public sealed record AccountRole(string RoleId, string Name, IReadOnlyList<string> Via);

public sealed record AccountSession(string SessionId, DateTimeOffset StartedAt, DateTimeOffset ExpiresAt, IReadOnlyList<string> AuthMethods, string? Acr);

/// <summary>An account as it was at <see cref="AsOf"/>, rebuilt from the log by the domain's own folds.</summary>
/// <param name="Position">The last log position that counted (the newest event at or before the instant); 0 when none.</param>
/// <param name="Metadata">The user's metadata entries, key to the value's bytes in base64.</param>
/// <param name="ErasedFields">Personal fields that read as <c>[erased]</c> because the user's key was destroyed since.</param>
public sealed record AccountSnapshot(
    string TenantId,
    string UserId,
    DateTimeOffset AsOf,
    long Position,
    string Status,
    string Username,
    string? Email,
    bool EmailVerified,
    UserProfile Profile,
    IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastChangedAt,
    AccountPassword Password,
    IReadOnlyList<AccountFactor> Factors,
    IReadOnlyList<AccountGroup> Groups,
    IReadOnlyList<AccountRole> Roles,
    IReadOnlyList<AccountSession> Sessions,
    IReadOnlyList<string> ErasedFields,
    long EventsScanned);

/// <summary>
/// "What did this account look like at 14:02 last Tuesday": one pass over the log up to the instant folds the user's
/// stream with <see cref="User.Evolve"/>, every group and role of the tenant with <see cref="Group.Evolve"/> and
/// <see cref="Role.Evolve"/>, and the user's sessions with <see cref="Session.Evolve"/>. An event counts when its
/// timestamp is at or before the instant. Personal fields of an erased user read as <c>[erased]</c>; nothing fails on them.
/// </summary>
public sealed class AccountHistory(IEventStore store, EventTypeRegistry registry, ISubjectKeyStore keys)
{
    private readonly EventSerializer _serializer = new(registry, keys);

    public async Task<AccountSnapshot> AsOfAsync(string tenantId, string userId, DateTimeOffset at, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(userId);
        var userStream = StreamNames.User(tenantId, userId);
        var mfaStream = StreamNames.Mfa(tenantId, userId);
        var passkeysStream = StreamNames.Passkeys(tenantId, userId);
        var groupPrefix = $"group-{tenantId}-";
        var rolePrefix = $"role-{tenantId}-";
        var sessionPrefix = $"session-{tenantId}-";

        var user = UserState.Initial;
        DateTimeOffset? createdAt = null, lastChanged = null, passwordSetAt = null;
        string? passwordReason = null;
        var erased = new SortedSet<string>(StringComparer.Ordinal);
        var groups = new Dictionary<string, GroupState>(StringComparer.Ordinal);
        var roles = new Dictionary<string, RoleState>(StringComparer.Ordinal);
        var sessions = new Dictionary<string, (SessionState State, DateTimeOffset StartedAt)>(StringComparer.Ordinal);
        var factors = new Dictionary<string, AccountFactor>(StringComparer.Ordinal);
        long position = 0, scanned = 0, cursor = 0;

        while (true)
        {
            var count = 0;
            await foreach (var e in store.ReadAllAsync(cursor, AuditReplayer.PageSize, ct).ConfigureAwait(false))
            {
                cursor = e.Position;
                count++;
                scanned++;
                if (!string.Equals(e.TenantId, tenantId, StringComparison.Ordinal) || e.Metadata.Timestamp > at)
                {
                    continue;
                }

                var stream = e.StreamId;
                if (string.Equals(stream, userStream, StringComparison.Ordinal))
                {
                    var decoded = await DecodeAsync(e, ct).ConfigureAwait(false);
                    if (decoded is null)
                    {
                        continue;
                    }

                    user = User.Evolve(user, decoded.Event);
                    createdAt ??= e.Metadata.Timestamp;
                    lastChanged = e.Metadata.Timestamp;
                    erased.UnionWith(decoded.ErasedFields);
                    if (decoded.Event is UserPasswordSet set)
                    {
                        passwordSetAt = e.Metadata.Timestamp;
                        passwordReason = set.Reason;
                    }

                    position = e.Position;
                }
                else if (stream.StartsWith(groupPrefix, StringComparison.Ordinal))
                {
                    if (await DecodeAsync(e, ct).ConfigureAwait(false) is { } decoded)
                    {
                        groups[stream] = Group.Evolve(groups.GetValueOrDefault(stream) ?? GroupState.Initial, decoded.Event);
                        position = Math.Max(position, e.Position);
                    }
                }
                else if (stream.StartsWith(rolePrefix, StringComparison.Ordinal))
                {
                    if (await DecodeAsync(e, ct).ConfigureAwait(false) is { } decoded)
                    {
                        roles[stream] = Role.Evolve(roles.GetValueOrDefault(stream) ?? RoleState.Initial, decoded.Event);
                        position = Math.Max(position, e.Position);
                    }
                }
                else if (stream.StartsWith(sessionPrefix, StringComparison.Ordinal))
                {
                    // Only the user's sessions are folded: the id is read from the raw row, nothing else is decrypted.
                    if (!sessions.ContainsKey(stream) && !string.Equals(AuditSubjects.Of(e).UserId, userId, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    if (await DecodeAsync(e, ct).ConfigureAwait(false) is { } decoded)
                    {
                        var (state, started) = sessions.GetValueOrDefault(stream, (SessionState.Initial, e.Metadata.Timestamp));
                        sessions[stream] = (Session.Evolve(state, decoded.Event), decoded.Event is SessionStarted ? e.Metadata.Timestamp : started);
                        position = Math.Max(position, e.Position);
                    }
                }
                else if (string.Equals(stream, mfaStream, StringComparison.Ordinal) || string.Equals(stream, passkeysStream, StringComparison.Ordinal) ||
                         ((e.EventType.StartsWith("mfa.", StringComparison.Ordinal) || e.EventType.StartsWith("passkey.", StringComparison.Ordinal)) &&
                          string.Equals(AuditSubjects.Of(e).UserId, userId, StringComparison.Ordinal)))
                {
                    FoldFactor(factors, e, string.Equals(stream, passkeysStream, StringComparison.Ordinal));
                    position = Math.Max(position, e.Position);
                }
            }

            if (count < AuditReplayer.PageSize)
            {
                break;
            }
        }

        if (!user.Exists || createdAt is null)
        {
            throw new DomainException(DomainErrors.AuditUserNotFound, "The user did not exist in this tenant at that instant.");
        }

        var memberOf = groups.Values.Where(g => g.IsLive && g.Members.Contains(userId)).OrderBy(g => g.GroupId, StringComparer.Ordinal).ToArray();
        var memberIds = memberOf.Select(g => g.GroupId).ToHashSet(StringComparer.Ordinal);
        var held = roles.Values
            .Where(r => r.IsLive)
            .Select(r => new AccountRole(r.RoleId, r.Name, [.. (r.Users.Contains(userId) ? ["direct"] : Array.Empty<string>()).Concat(r.Groups.Where(memberIds.Contains).Order(StringComparer.Ordinal))]))
            .Where(r => r.Via.Count > 0)
            .OrderBy(r => r.RoleId, StringComparer.Ordinal)
            .ToArray();
        var open = sessions.Values
            .Where(s => string.Equals(s.State.UserId, userId, StringComparison.Ordinal) && s.State.IsActiveAt(at))
            .OrderBy(s => s.StartedAt)
            .Select(s => new AccountSession(s.State.SessionId, s.StartedAt, s.State.ExpiresAt, s.State.AuthMethods, s.State.Acr))
            .ToArray();

        return new AccountSnapshot(
            tenantId,
            userId,
            at,
            position,
            user.Status.ToString().ToLowerInvariant(),
            user.Username,
            user.Email,
            user.EmailVerified,
            user.Profile,
            user.Metadata,
            createdAt.Value,
            lastChanged,
            new AccountPassword(user.HasPassword, user.HasPassword ? passwordSetAt : null, user.Password?.ChangeRequired ?? false, user.HasPassword ? passwordReason : null),
            user.Erased ? [] : [.. factors.Values.OrderBy(f => f.Since)],
            [.. memberOf.Select(g => new AccountGroup(g.GroupId, g.Name))],
            held,
            user.Erased ? [] : open,
            [.. erased],
            scanned);
    }

    private async Task<DecodedEvent?> DecodeAsync(StoredEvent e, CancellationToken ct)
    {
        if (!registry.IsKnown(e.EventType))
        {
            return null;
        }

        try
        {
            return await _serializer.DeserializeAsync(e, ct).ConfigureAwait(false);
        }
        catch (InvalidEventDataException)
        {
            // A malformed row is skipped here (audit verify names it), as a fold of state must not guess.
            return null;
        }
    }

    /// <summary>Keyed by kind and credential id: a later removal of the same key takes it away.</summary>
    private static void FoldFactor(Dictionary<string, AccountFactor> factors, StoredEvent e, bool passkeyStream)
    {
        var type = e.EventType;
        var kind = passkeyStream || type.StartsWith("passkey.", StringComparison.Ordinal) ? "passkey"
            : type.Contains("recovery", StringComparison.Ordinal) ? "recovery-codes"
            : type.Contains("totp", StringComparison.Ordinal) ? "totp"
            : "mfa";
        var credential = CredentialIdOf(e);
        var key = $"{kind}/{credential}";
        var verb = type.Split('.') is { Length: >= 2 } parts ? parts[^2] : type;
        if (verb.Contains("removed", StringComparison.Ordinal) || verb.Contains("revoked", StringComparison.Ordinal) ||
            verb.Contains("deleted", StringComparison.Ordinal) || verb.Contains("reset", StringComparison.Ordinal) ||
            verb.Contains("disabled", StringComparison.Ordinal))
        {
            if (credential is null)
            {
                foreach (var stale in factors.Keys.Where(k => k.StartsWith(kind + "/", StringComparison.Ordinal)).ToArray())
                {
                    factors.Remove(stale);
                }
            }
            else
            {
                factors.Remove(key);
            }
        }
        else if (verb.Contains("enrolled", StringComparison.Ordinal) || verb.Contains("registered", StringComparison.Ordinal) ||
                 verb.Contains("added", StringComparison.Ordinal) || verb.Contains("imported", StringComparison.Ordinal) ||
                 verb.Contains("generated", StringComparison.Ordinal) || verb.Contains("confirmed", StringComparison.Ordinal))
        {
            factors.TryAdd(key, new AccountFactor(kind, credential, e.Metadata.Timestamp, type));
        }
    }

    private static string? CredentialIdOf(StoredEvent e)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(e.Data);
            foreach (var name in (string[])["credentialId", "passkeyId", "factorId"])
            {
                if (doc.RootElement.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String)
                {
                    return value.GetString();
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return null;
    }
}
