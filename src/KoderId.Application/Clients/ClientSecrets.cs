using System.Buffers.Text;
using System.Security.Cryptography;
using KoderId.Application.ApiKeys;

namespace KoderId.Application.Clients;

/// <summary>
/// Client ids, client secrets and RFC 7592 registration access tokens. A client id is 32 lowercase hex (a
/// version 7 GUID: URL-safe, time-ordered so a list pages in creation order). Secrets and registration tokens
/// are 256 random bits in base64url, shown once; only their base64url SHA-256 is kept (ADR 0004: a fast hash is
/// enough for a 256-bit random value, and it keeps client authentication cheap).
/// </summary>
public static class ClientSecrets
{
    public static string NewClientId() => Guid.CreateVersion7().ToString("N");

    public static bool IsClientId(string? clientId) => ApiKeyToken.IsKeyId(clientId);

    public static string NewSecret() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => ApiKeyToken.Hash(secret);

    /// <summary>Constant-time comparison of SHA-256 digests; a null or malformed stored hash never matches (but costs the same).</summary>
    public static bool Verify(string secret, string? storedHash) => ApiKeyToken.Verify(secret, storedHash ?? UnknownHash) && storedHash is not null;

    /// <summary>Compared against when there is nothing to compare with, so a miss costs what a wrong secret costs.</summary>
    public static readonly string UnknownHash = Hash(NewSecret());
}
