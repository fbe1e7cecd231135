using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KoderId.Application.Credentials.Legacy;

/// <summary>
/// Ulrich Drepper's SHA-crypt (<c>$5$</c> SHA-256, <c>$6$</c> SHA-512), as glibc and passwap write it:
/// <c>$5$[rounds=N$]salt$hash</c>, salt at most 16 characters, rounds 1,000 to 999,999,999 (default 5,000).
/// Tested against the specification's own vectors (akkadia.org/drepper/SHA-crypt.txt) and <c>openssl passwd</c>.
/// </summary>
internal static class ShaCrypt
{
    public const int DefaultRounds = 5000;
    public const int MinRounds = 1000;
    public const int MaxRounds = 999_999_999;

    // Cost bound of ours: more rounds than this on one login is a denial of service, refused as out of range.
    public const int MaxAcceptedRounds = 10_000_000;

    private static readonly int[] Order256 =
        [0, 10, 20, 21, 1, 11, 12, 22, 2, 3, 13, 23, 24, 4, 14, 15, 25, 5, 6, 16, 26, 27, 7, 17, 18, 28, 8, 9, 19, 29, -1, 31, 30];

    private static readonly int[] Order512 =
    [
        0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4, 47, 5, 26, 6, 27, 48, 28, 49, 7, 50, 8, 29, 9, 30, 51, 31, 52, 10,
        53, 11, 32, 12, 33, 54, 34, 55, 13, 56, 14, 35, 15, 36, 57, 37, 58, 16, 59, 17, 38, 18, 39, 60, 40, 61, 19, 62, 20, 41, -1, -1, 63,
    ];

    public sealed record Parsed(bool Sha512, int Rounds, bool RoundsGiven, string Salt, string Hash);

    public static bool TryParse(string encoded, out Parsed? parsed, out PasswordHashFormatError error)
    {
        parsed = null;
        var sha512 = encoded.StartsWith("$6$", StringComparison.Ordinal);
        if (!sha512 && !encoded.StartsWith("$5$", StringComparison.Ordinal))
        {
            error = PasswordHashFormatError.UnsupportedAlgorithm;
            return false;
        }

        error = PasswordHashFormatError.Malformed;
        var rest = encoded[3..];
        var rounds = DefaultRounds;
        var given = false;
        if (rest.StartsWith("rounds=", StringComparison.Ordinal))
        {
            var end = rest.IndexOf('$', StringComparison.Ordinal);
            if (end < 0 || !int.TryParse(rest.AsSpan(7, end - 7), NumberStyles.None, CultureInfo.InvariantCulture, out rounds))
            {
                return false;
            }

            rounds = Math.Clamp(rounds, MinRounds, MaxRounds);
            given = true;
            rest = rest[(end + 1)..];
        }

        var dollar = rest.IndexOf('$', StringComparison.Ordinal);
        if (dollar < 0)
        {
            return false;
        }

        var salt = rest[..dollar];
        var hash = rest[(dollar + 1)..];
        var expectedLength = sha512 ? 86 : 43;
        if (salt.Length > 16 || salt.Any(c => c is '$' or ':' or '\n' || char.IsControl(c)) || hash.Length != expectedLength || !hash.All(CryptBase64.IsAlphabet))
        {
            return false;
        }

        if (rounds > MaxAcceptedRounds)
        {
            error = PasswordHashFormatError.ParameterOutOfRange;
            return false;
        }

        parsed = new Parsed(sha512, rounds, given, salt, hash);
        error = PasswordHashFormatError.None;
        return true;
    }

    public static bool Verify(string password, Parsed parsed)
    {
        var computed = Compute(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(parsed.Salt), parsed.Rounds, parsed.Sha512);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(parsed.Hash));
    }

    /// <summary>The whole crypt string, for tests against the published vectors.</summary>
    public static string Crypt(string password, string salt, int? rounds, bool sha512)
    {
        var saltBytes = Encoding.UTF8.GetBytes(salt);
        if (saltBytes.Length > 16)
        {
            saltBytes = saltBytes[..16];
        }

        var effective = Math.Clamp(rounds ?? DefaultRounds, MinRounds, MaxRounds);
        var prefix = sha512 ? "$6$" : "$5$";
        var roundsPart = rounds is null ? "" : string.Create(CultureInfo.InvariantCulture, $"rounds={effective}$");
        return $"{prefix}{roundsPart}{Encoding.UTF8.GetString(saltBytes)}${Compute(Encoding.UTF8.GetBytes(password), saltBytes, effective, sha512)}";
    }

    private static string Compute(byte[] password, byte[] salt, int rounds, bool sha512)
    {
        using var hash = IncrementalHash.CreateHash(sha512 ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);
        var size = sha512 ? 64 : 32;

        hash.AppendData(password);
        hash.AppendData(salt);
        hash.AppendData(password);
        var b = hash.GetHashAndReset();

        hash.AppendData(password);
        hash.AppendData(salt);
        int length;
        for (length = password.Length; length > size; length -= size)
        {
            hash.AppendData(b);
        }

        hash.AppendData(b, 0, length);
        for (var bits = password.Length; bits > 0; bits >>= 1)
        {
            if ((bits & 1) != 0)
            {
                hash.AppendData(b);
            }
            else
            {
                hash.AppendData(password);
            }
        }

        var a = hash.GetHashAndReset();

        for (var i = 0; i < password.Length; i++)
        {
            hash.AppendData(password);
        }

        var dp = hash.GetHashAndReset();
        var p = Repeat(dp, password.Length);

        for (var i = 0; i < 16 + a[0]; i++)
        {
            hash.AppendData(salt);
        }

        var ds = hash.GetHashAndReset();
        var s = Repeat(ds, salt.Length);

        var c = a;
        for (var i = 0; i < rounds; i++)
        {
            hash.AppendData((i & 1) != 0 ? p : c);
            if (i % 3 != 0)
            {
                hash.AppendData(s);
            }

            if (i % 7 != 0)
            {
                hash.AppendData(p);
            }

            hash.AppendData((i & 1) != 0 ? c : p);
            c = hash.GetHashAndReset();
        }

        CryptographicOperations.ZeroMemory(p);
        return sha512 ? CryptBase64.Encode(c, Order512, 2) : CryptBase64.Encode(c, Order256, 3);
    }

    private static byte[] Repeat(byte[] digest, int length)
    {
        var result = new byte[length];
        for (var i = 0; i < length; i++)
        {
            result[i] = digest[i % digest.Length];
        }

        return result;
    }
}
