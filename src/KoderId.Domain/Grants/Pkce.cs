using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace KoderId.Domain.Grants;

/// <summary>
/// RFC 7636 with the S256 method only (RFC 9700 §2.1.1: <c>plain</c> gives no protection against a leaked
/// request). The verifier check hashes and compares in constant time: how far a guess matched never shows.
/// </summary>
public static class Pkce
{
    public const string S256 = "S256";
    public const int MinVerifierLength = 43;
    public const int MaxVerifierLength = 128;

    /// <summary>RFC 7636 §4.1: 43 to 128 characters of <c>[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"</c>.</summary>
    public static bool IsValidVerifier(string? verifier) =>
        verifier is { Length: >= MinVerifierLength and <= MaxVerifierLength } && verifier.All(IsUnreserved);

    /// <summary>An S256 challenge is the unpadded base64url of a SHA-256 digest: 43 characters that decode to 32 bytes.</summary>
    public static bool IsValidChallenge(string? challenge)
    {
        if (challenge is not { Length: 43 })
        {
            return false;
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        return Base64Url.DecodeFromChars(challenge, digest, out _, out var written) == System.Buffers.OperationStatus.Done && written == digest.Length;
    }

    /// <summary>The S256 challenge of a verifier: <c>BASE64URL(SHA256(ASCII(verifier)))</c> (RFC 7636 §4.2).</summary>
    public static string Challenge(string verifier)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
    }

    /// <summary>RFC 7636 §4.6 for S256; false for a malformed verifier or challenge. Constant time in the digest comparison.</summary>
    public static bool Verify(string? verifier, string challenge)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        var decoded = Base64Url.DecodeFromChars(challenge, expected, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == expected.Length;
        var wellFormed = IsValidVerifier(verifier);
        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.ASCII.GetBytes(wellFormed ? verifier! : ""), actual);
        return CryptographicOperations.FixedTimeEquals(actual, expected) && decoded && wellFormed;
    }

    private static bool IsUnreserved(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~';
}

/// <summary>Constant-time equality of two stored digests (base64url strings), for the grant decisions.</summary>
public static class Digests
{
    public static bool Equal(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return false;
        }

        var left = Encoding.UTF8.GetBytes(a);
        var right = Encoding.UTF8.GetBytes(b);
        return CryptographicOperations.FixedTimeEquals(left, right);
    }
}
