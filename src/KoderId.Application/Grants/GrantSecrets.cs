using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace KoderId.Application.Grants;

/// <summary>
/// The random values of ADR 0004: authorization codes, refresh-token secrets and SSO cookie secrets are 256-bit
/// random values in unpadded base64url (43 characters); only their base64url SHA-256 reaches the log or a
/// table. A fast hash is enough for a 256-bit random value (nothing to guess from) and keeps the hot paths cheap.
/// </summary>
public static class GrantSecrets
{
    public const int SecretLength = 43;
    private const int SecretBytes = 32;
    private const int IdLength = 32;

    public static string NewSecret() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary>A session or family id: 32 lowercase hex (a version 7 GUID), no separator, sortable by creation.</summary>
    public static string NewId() => Guid.CreateVersion7().ToString("N");

    public static bool IsId(string? id) =>
        id is { Length: IdLength } && id.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    public static string Hash(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
    }

    /// <summary>Whether a presented value has the shape of a secret (bounds the input hashed; anything else is unknown).</summary>
    public static bool IsSecret(string? value) =>
        value is { Length: SecretLength } && value.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');
}

/// <summary>
/// A refresh token, <c>{familyId}.{secret}</c>: the family id finds the family's stream without a lookup table;
/// the secret (256 bits) is checked against the hash of the family's current generation.
/// </summary>
public static class RefreshTokenFormat
{
    public static string Format(string familyId, string secret) => $"{familyId}.{secret}";

    public static bool TryParse(string? token, [NotNullWhen(true)] out string? familyId, [NotNullWhen(true)] out string? secret)
    {
        familyId = null;
        secret = null;
        if (token is null || token.Length != 32 + 1 + GrantSecrets.SecretLength || token[32] != '.')
        {
            return false;
        }

        var id = token[..32];
        var s = token[33..];
        if (!GrantSecrets.IsId(id) || !GrantSecrets.IsSecret(s))
        {
            return false;
        }

        (familyId, secret) = (id, s);
        return true;
    }
}

/// <summary>The SSO cookie's value, <c>{sessionId}.{secret}</c>: the id finds the session, the secret proves the cookie.</summary>
public static class SessionCookie
{
    public static string Format(string sessionId, string secret) => $"{sessionId}.{secret}";

    public static bool TryParse(string? value, [NotNullWhen(true)] out string? sessionId, [NotNullWhen(true)] out string? secret) =>
        RefreshTokenFormat.TryParse(value, out sessionId, out secret);
}
