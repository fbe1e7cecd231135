using System.Collections.Immutable;
using KoderId.Events.ApiKeys;

namespace KoderId.Domain.ApiKeys;

/// <summary>The scopes a key can hold. <see cref="Admin"/> is everything in its tenant; <see cref="TenantsAdmin"/> only exists on system keys.</summary>
public static class ApiKeyScopes
{
    public const string Admin = "admin";
    public const string UsersRead = "users:read";
    public const string UsersWrite = "users:write";
    public const string GroupsRead = "groups:read";
    public const string GroupsWrite = "groups:write";
    public const string RolesRead = "roles:read";
    public const string RolesWrite = "roles:write";
    public const string AuditRead = "audit:read";
    public const string ClientsRead = "clients:read";
    public const string ClientsWrite = "clients:write";
    public const string TenantsAdmin = "tenants:admin";

    public static readonly ImmutableArray<string> All =
        [Admin, UsersRead, UsersWrite, GroupsRead, GroupsWrite, RolesRead, RolesWrite, AuditRead, ClientsRead, ClientsWrite, TenantsAdmin];

    public static bool IsKnown(string? scope) => scope is not null && All.Contains(scope, StringComparer.Ordinal);

    /// <summary>Whether a holder of <paramref name="held"/> may do what <paramref name="required"/> allows (admin implies every tenant scope).</summary>
    public static bool Grants(IEnumerable<string> held, string required)
    {
        ArgumentNullException.ThrowIfNull(held);
        return held.Any(s => string.Equals(s, required, StringComparison.Ordinal)
            || (string.Equals(s, Admin, StringComparison.Ordinal) && !string.Equals(required, TenantsAdmin, StringComparison.Ordinal)));
    }
}

public sealed record ApiKeyState(
    string KeyId,
    string Name,
    ImmutableArray<string> Scopes,
    bool System,
    DateTimeOffset? ExpiresAt,
    bool Created,
    bool Revoked)
{
    public static readonly ApiKeyState Initial = new("", "", [], false, null, false, false);
}

/// <summary>
/// Decisions on an API key. The secret is made and hashed by the caller (randomness is I/O); the decision
/// only sees its digest. Revoking twice changes nothing.
/// </summary>
public static class ApiKey
{
    public static ApiKeyState Evolve(ApiKeyState state, object @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        return @event switch
        {
            ApiKeyCreated e => state with
            {
                KeyId = e.KeyId, Name = e.Name, Scopes = [.. e.Scopes], System = e.System, ExpiresAt = e.ExpiresAt, Created = true,
            },
            ApiKeyRevoked => state with { Revoked = true },
            _ => state,
        };
    }

    /// <param name="now">For the expiry check: a key cannot be created already expired.</param>
    public static IReadOnlyList<object> Create(
        ApiKeyState state, string keyId, string name, IReadOnlyList<string>? scopes, bool system, DateTimeOffset? expiresAt, string secretHash, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Created)
        {
            throw new DomainException(DomainErrors.ApiKeyIdTaken, "An API key with this id already exists.");
        }

        var normalized = Names.Normalize(name)
            ?? throw new DomainException(DomainErrors.ApiKeyInvalidName, $"An API key name is 1 to {Names.MaxLength} printable characters.");
        if (scopes is null || scopes.Count == 0 || scopes.Any(s => !ApiKeyScopes.IsKnown(s)) || scopes.Distinct(StringComparer.Ordinal).Count() != scopes.Count)
        {
            throw new DomainException(DomainErrors.ApiKeyInvalidScope, $"Scopes are one or more distinct values of: {string.Join(", ", ApiKeyScopes.All)}.");
        }

        if (!system && scopes.Contains(ApiKeyScopes.TenantsAdmin, StringComparer.Ordinal))
        {
            throw new DomainException(DomainErrors.ApiKeyScopeNotAllowed, "The tenants:admin scope is only for system keys.");
        }

        if (expiresAt is { } expiry && expiry <= now)
        {
            throw new DomainException(DomainErrors.ApiKeyInvalidExpiry, "The expiry must be in the future.");
        }

        return [new ApiKeyCreated(keyId, normalized, [.. scopes], secretHash, system, expiresAt)];
    }

    public static IReadOnlyList<object> Revoke(ApiKeyState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Created)
        {
            throw new DomainException(DomainErrors.ApiKeyNotFound, "The API key does not exist.");
        }

        return state.Revoked ? [] : [new ApiKeyRevoked(state.KeyId)];
    }
}
