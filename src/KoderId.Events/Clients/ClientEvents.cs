using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Clients;

// Client events go to client-{tenant}-{clientId} (ADR 0004). A client is configuration, not a person's data:
// nothing here is [PersonalData]. Secrets and registration access tokens are never in the log, only their
// base64url (unpadded) SHA-256. Lists are space-free values (URIs are validated to hold no whitespace).
// Lifetimes are seconds; null means the tenant's default.

/// <param name="ClientType"><c>confidential</c> or <c>public</c>; public ⇔ <paramref name="TokenEndpointAuthMethod"/> <c>none</c>.</param>
/// <param name="Jwks">The client's public JWK set as compact JSON text, for <c>private_key_jwt</c>.</param>
/// <param name="RegisteredVia"><c>admin</c> or <c>dynamic</c> (RFC 7591).</param>
/// <param name="SecretHash">base64url SHA-256 of the client secret; null when the client authenticates without one.</param>
/// <param name="RegistrationAccessTokenHash">base64url SHA-256 of the RFC 7592 registration access token; dynamic clients only.</param>
[EventType("client.registered.v1")]
public sealed record ClientRegistered(
    string ClientId,
    string Name,
    string ClientType,
    IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> PostLogoutRedirectUris,
    IReadOnlyList<string> GrantTypes,
    IReadOnlyList<string> ResponseTypes,
    IReadOnlyList<string> Scopes,
    string TokenEndpointAuthMethod,
    string IdTokenSignedResponseAlg,
    bool RequirePkce,
    bool FirstParty,
    string RegisteredVia,
    string? Jwks = null,
    string? JwksUri = null,
    int? AccessTokenLifetime = null,
    int? RefreshTokenLifetime = null,
    int? IdTokenLifetime = null,
    string? SecretHash = null,
    string? RegistrationAccessTokenHash = null);

/// <summary>The client's whole metadata after the change (a replacement, not a diff); secrets are untouched.</summary>
[EventType("client.updated.v1")]
public sealed record ClientUpdated(
    string ClientId,
    string Name,
    string ClientType,
    IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> PostLogoutRedirectUris,
    IReadOnlyList<string> GrantTypes,
    IReadOnlyList<string> ResponseTypes,
    IReadOnlyList<string> Scopes,
    string TokenEndpointAuthMethod,
    string IdTokenSignedResponseAlg,
    bool RequirePkce,
    bool FirstParty,
    string? Jwks = null,
    string? JwksUri = null,
    int? AccessTokenLifetime = null,
    int? RefreshTokenLifetime = null,
    int? IdTokenLifetime = null);

/// <param name="SecretHash">base64url SHA-256 of the new secret; the old one stops working at once.</param>
[EventType("client.secret-rotated.v1")]
public sealed record ClientSecretRotated(string ClientId, string SecretHash);

[EventType("client.deleted.v1")]
public sealed record ClientDeleted(string ClientId);
