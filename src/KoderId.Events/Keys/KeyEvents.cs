using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Keys;

/// <summary>
/// A new signing key for the tenant's issuer. Only the public half is in the log; the private key is kept
/// encrypted in the key store and named by <see cref="PrivateKeyRef"/>. The previous key stays published in
/// JWKS until <see cref="RetiredKeyExpiresAt"/> so tokens it signed still verify.
/// </summary>
/// <param name="Algorithm">JWS algorithm: <c>RS256</c>, <c>PS256</c>, <c>ES256</c> or <c>EdDSA</c>.</param>
[EventType("key.rotated.v1")]
public sealed record KeyRotated(
    string KeyId,
    string Algorithm,
    PublicJsonWebKey PublicKey,
    string PrivateKeyRef,
    DateTimeOffset ActivatesAt,
    string? RetiredKeyId = null,
    DateTimeOffset? RetiredKeyExpiresAt = null);

/// <summary>The public parameters of a JWK (RFC 7517): <c>n</c>/<c>e</c> for RSA, <c>crv</c>/<c>x</c>(/<c>y</c>) for EC and OKP.</summary>
public sealed record PublicJsonWebKey(string Kty, string? Crv = null, string? X = null, string? Y = null, string? N = null, string? E = null);
