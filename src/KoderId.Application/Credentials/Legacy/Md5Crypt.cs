using System.Security.Cryptography;
using System.Text;

namespace KoderId.Application.Credentials.Legacy;

/// <summary>
/// Poul-Henning Kamp's md5-crypt (<c>$1$salt$hash</c>, salt at most 8 characters, 1,000 fixed rounds), as
/// FreeBSD, glibc, <c>openssl passwd -1</c> and passwap write it. Weak: kept only to verify once, then rehashed.
/// </summary>
internal static class Md5Crypt
{
    private const string Magic = "$1$";

    private static readonly int[] Order = [0, 6, 12, 1, 7, 13, 2, 8, 14, 3, 9, 15, 4, 10, 5, -1, -1, 11];

    public sealed record Parsed(string Salt, string Hash);

    public static bool TryParse(string encoded, out Parsed? parsed, out PasswordHashFormatError error)
    {
        parsed = null;
        if (!encoded.StartsWith(Magic, StringComparison.Ordinal))
        {
            error = PasswordHashFormatError.UnsupportedAlgorithm;
            return false;
        }

        error = PasswordHashFormatError.Malformed;
        var rest = encoded[Magic.Length..];
        var dollar = rest.IndexOf('$', StringComparison.Ordinal);
        if (dollar < 0)
        {
            return false;
        }

        var salt = rest[..dollar];
        var hash = rest[(dollar + 1)..];
        if (salt.Length > 8 || salt.Any(char.IsControl) || hash.Length != 22 || !hash.All(CryptBase64.IsAlphabet))
        {
            return false;
        }

        parsed = new Parsed(salt, hash);
        error = PasswordHashFormatError.None;
        return true;
    }

    public static bool Verify(string password, Parsed parsed)
    {
        var computed = Compute(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(parsed.Salt));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(parsed.Hash));
    }

    public static string Crypt(string password, string salt) =>
        $"{Magic}{salt}${Compute(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(salt))}";

    private static string Compute(byte[] password, byte[] salt)
    {
#pragma warning disable CA5351 // md5-crypt is MD5 by definition; only imported hashes are verified with it, then replaced.
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
        md5.AppendData(password);
        md5.AppendData(salt);
        md5.AppendData(password);
        var alternate = md5.GetHashAndReset();

        md5.AppendData(password);
        md5.AppendData(Encoding.ASCII.GetBytes(Magic));
        md5.AppendData(salt);
        for (var left = password.Length; left > 0; left -= 16)
        {
            md5.AppendData(alternate, 0, Math.Min(left, 16));
        }

        byte[] zero = [0];
        for (var bits = password.Length; bits > 0; bits >>= 1)
        {
            md5.AppendData((bits & 1) != 0 ? zero : password.AsSpan(0, 1));
        }

        var final = md5.GetHashAndReset();
        for (var i = 0; i < 1000; i++)
        {
            md5.AppendData((i & 1) != 0 ? password : final);
            if (i % 3 != 0)
            {
                md5.AppendData(salt);
            }

            if (i % 7 != 0)
            {
                md5.AppendData(password);
            }

            md5.AppendData((i & 1) != 0 ? final : password);
            final = md5.GetHashAndReset();
        }

        return CryptBase64.Encode(final, Order, 2);
    }
}
