using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using KoderId.Domain;
using KoderId.Domain.Mfa;
using OtpNet;

namespace KoderId.Application.Mfa;

/// <summary>
/// Recovery codes: 160 random bits each, shown as 32 lowercase base32 characters in groups of four
/// (<c>abcd-efgh-...</c>). Stored as base64url SHA-256 of the normalised code: with that much entropy a fast
/// hash is as safe as Argon2id (ARCHITECTURE §5, as for client secrets), and checking ten costs nothing.
/// </summary>
public static class RecoveryCodes
{
    public const int CodeBytes = 20;
    public const int CodeChars = 32;

    /// <summary>A new set: the codes to show once, and their hashes to store.</summary>
    public static (IReadOnlyList<string> Codes, IReadOnlyList<string> Hashes) NewSet()
    {
        var codes = new List<string>(UserMfa.RecoveryCodeCount);
        while (codes.Count < UserMfa.RecoveryCodeCount)
        {
            var raw = Base32Encoding.ToString(RandomNumberGenerator.GetBytes(CodeBytes)).TrimEnd('=').ToLowerInvariant();
            var shown = string.Join('-', raw.Chunk(4).Select(c => new string(c)));
            if (!codes.Contains(shown, StringComparer.Ordinal))
            {
                codes.Add(shown);
            }
        }

        return (codes, [.. codes.Select(c => Hash(Normalize(c)))]);
    }

    /// <summary>As typed: case, spaces and dashes are ignored; then 32 base32 characters, or KID1327.</summary>
    public static string Normalize(string? code)
    {
        var builder = new StringBuilder(CodeChars);
        foreach (var c in code ?? "")
        {
            if (c is ' ' or '-')
            {
                continue;
            }

            if (builder.Length == CodeChars || !(char.IsAsciiLetter(c) || c is >= '2' and <= '7'))
            {
                throw Malformed();
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.Length == CodeChars ? builder.ToString() : throw Malformed();
    }

    public static string Hash(string normalized) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(normalized)));

    /// <summary>
    /// The position of the unused code whose hash is <paramref name="hash"/>, or -1. Every stored hash is
    /// compared in constant time, spent or not, so timing tells neither which code nor whether it was spent.
    /// </summary>
    public static int IndexOf(UserMfaState state, string hash)
    {
        ArgumentNullException.ThrowIfNull(state);
        var given = Encoding.ASCII.GetBytes(hash);
        var found = -1;
        for (var i = 0; i < state.RecoveryCodeHashes.Length; i++)
        {
            var equal = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(state.RecoveryCodeHashes[i]), given);
            if (equal && !state.RecoveryCodesUsed[i])
            {
                found = i;
            }
        }

        return found;
    }

    private static DomainException Malformed() =>
        new(DomainErrors.RecoveryCodeMalformed, $"A recovery code is {CodeChars} letters and digits (dashes and spaces are ignored).");
}
