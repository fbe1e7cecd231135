using System.Text;

namespace KoderId.Application.Credentials.Legacy;

/// <summary>The crypt(3) base64 (<c>./0-9A-Za-z</c>, little-endian 24-bit groups) of md5-crypt and sha-crypt.</summary>
internal static class CryptBase64
{
    private const string Alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Encodes <paramref name="digest"/> in the byte order <paramref name="groups"/> names (three indexes per group, -1 for none).</summary>
    public static string Encode(ReadOnlySpan<byte> digest, ReadOnlySpan<int> groups, int tailChars)
    {
        var text = new StringBuilder();
        for (var g = 0; g < groups.Length; g += 3)
        {
            var chars = g + 3 == groups.Length ? tailChars : 4;
            var value = (Byte(digest, groups[g]) << 16) | (Byte(digest, groups[g + 1]) << 8) | Byte(digest, groups[g + 2]);
            for (var i = 0; i < chars; i++)
            {
                text.Append(Alphabet[value & 0x3f]);
                value >>= 6;
            }
        }

        return text.ToString();
    }

    public static bool IsAlphabet(char c) => Alphabet.Contains(c, StringComparison.Ordinal);

    private static int Byte(ReadOnlySpan<byte> digest, int index) => index < 0 ? 0 : digest[index];
}
