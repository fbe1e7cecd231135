using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.ApiKeys;

// API key events go to api-key-{tenant}-{key} of the key's tenant; system keys live in the default tenant with
// System set. The secret is never in the log: only SecretHash, the base64url SHA-256 of the secret. A key is
// a machine credential of the tenant, not a person's data, so nothing here is [PersonalData].

/// <param name="Scopes">Distinct, from the fixed list (admin, users:read, ..., tenants:admin for system keys only).</param>
/// <param name="SecretHash">base64url (no padding) SHA-256 of the secret part of <c>kid_&lt;keyId&gt;_&lt;secret&gt;</c>.</param>
/// <param name="ExpiresAt">After this instant the key authenticates nothing; null for a key that does not expire.</param>
[EventType("api-key.created.v1")]
public sealed record ApiKeyCreated(
    string KeyId,
    string Name,
    IReadOnlyList<string> Scopes,
    string SecretHash,
    bool System = false,
    DateTimeOffset? ExpiresAt = null)
{
    public bool Equals(ApiKeyCreated? other) =>
        other is not null && KeyId == other.KeyId && Name == other.Name && Scopes.SequenceEqual(other.Scopes)
        && SecretHash == other.SecretHash && System == other.System && ExpiresAt == other.ExpiresAt;

    public override int GetHashCode() => HashCode.Combine(KeyId, Name, SecretHash, System, ExpiresAt);
}

[EventType("api-key.revoked.v1")]
public sealed record ApiKeyRevoked(string KeyId);
