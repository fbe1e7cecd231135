using System.Buffers.Binary;
using System.Security.Cryptography;

namespace KoderId.Application.Credentials.Legacy;

/// <summary>scrypt (RFC 7914) on PBKDF2-HMAC-SHA256 and Salsa20/8; tested against the RFC's vectors.</summary>
internal static class Scrypt
{
    /// <summary>Our bound on 128 · r · N · p bytes for one login: above it an imported hash is refused, not computed.</summary>
    public const long MaxMemoryBytes = 256L * 1024 * 1024;

    public static bool AreInRange(long n, long r, long p) =>
        n > 1 && (n & (n - 1)) == 0 && r >= 1 && p >= 1 && r * p < (1 << 30) && 128L * r * n <= MaxMemoryBytes && 128L * r * p <= MaxMemoryBytes;

    public static byte[] DeriveKey(byte[] password, byte[] salt, int n, int r, int p, int length)
    {
        var blockBytes = 128 * r;
        var b = Rfc2898DeriveBytes.Pbkdf2(password, salt, 1, HashAlgorithmName.SHA256, p * blockBytes);
        var x = new uint[32 * r];
        var v = new uint[32 * r * n];
        var scratch = new uint[32 * r];
        for (var i = 0; i < p; i++)
        {
            var chunk = b.AsSpan(i * blockBytes, blockBytes);
            for (var k = 0; k < x.Length; k++)
            {
                x[k] = BinaryPrimitives.ReadUInt32LittleEndian(chunk.Slice(k * 4, 4));
            }

            RoMix(x, v, scratch, n, r);
            for (var k = 0; k < x.Length; k++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(chunk.Slice(k * 4, 4), x[k]);
            }
        }

        Array.Clear(v);
        return Rfc2898DeriveBytes.Pbkdf2(password, b, 1, HashAlgorithmName.SHA256, length);
    }

    private static void RoMix(uint[] x, uint[] v, uint[] scratch, int n, int r)
    {
        var size = 32 * r;
        for (var i = 0; i < n; i++)
        {
            Array.Copy(x, 0, v, i * size, size);
            BlockMix(x, scratch, r);
        }

        for (var i = 0; i < n; i++)
        {
            var j = (int)(x[size - 16] & (uint)(n - 1));
            for (var k = 0; k < size; k++)
            {
                x[k] ^= v[(j * size) + k];
            }

            BlockMix(x, scratch, r);
        }
    }

    private static void BlockMix(uint[] b, uint[] y, int r)
    {
        Span<uint> x = stackalloc uint[16];
        b.AsSpan((2 * r - 1) * 16, 16).CopyTo(x);
        for (var i = 0; i < 2 * r; i++)
        {
            for (var k = 0; k < 16; k++)
            {
                x[k] ^= b[(i * 16) + k];
            }

            Salsa208(x);

            // Even blocks to the first half, odd blocks to the second.
            var target = ((i & 1) == 0 ? i / 2 : r + (i / 2)) * 16;
            x.CopyTo(y.AsSpan(target, 16));
        }

        Array.Copy(y, b, 32 * r);
    }

    private static void Salsa208(Span<uint> b)
    {
        Span<uint> x = stackalloc uint[16];
        b.CopyTo(x);
        for (var i = 0; i < 8; i += 2)
        {
            x[4] ^= uint.RotateLeft(x[0] + x[12], 7); x[8] ^= uint.RotateLeft(x[4] + x[0], 9);
            x[12] ^= uint.RotateLeft(x[8] + x[4], 13); x[0] ^= uint.RotateLeft(x[12] + x[8], 18);
            x[9] ^= uint.RotateLeft(x[5] + x[1], 7); x[13] ^= uint.RotateLeft(x[9] + x[5], 9);
            x[1] ^= uint.RotateLeft(x[13] + x[9], 13); x[5] ^= uint.RotateLeft(x[1] + x[13], 18);
            x[14] ^= uint.RotateLeft(x[10] + x[6], 7); x[2] ^= uint.RotateLeft(x[14] + x[10], 9);
            x[6] ^= uint.RotateLeft(x[2] + x[14], 13); x[10] ^= uint.RotateLeft(x[6] + x[2], 18);
            x[3] ^= uint.RotateLeft(x[15] + x[11], 7); x[7] ^= uint.RotateLeft(x[3] + x[15], 9);
            x[11] ^= uint.RotateLeft(x[7] + x[3], 13); x[15] ^= uint.RotateLeft(x[11] + x[7], 18);
            x[1] ^= uint.RotateLeft(x[0] + x[3], 7); x[2] ^= uint.RotateLeft(x[1] + x[0], 9);
            x[3] ^= uint.RotateLeft(x[2] + x[1], 13); x[0] ^= uint.RotateLeft(x[3] + x[2], 18);
            x[6] ^= uint.RotateLeft(x[5] + x[4], 7); x[7] ^= uint.RotateLeft(x[6] + x[5], 9);
            x[4] ^= uint.RotateLeft(x[7] + x[6], 13); x[5] ^= uint.RotateLeft(x[4] + x[7], 18);
            x[11] ^= uint.RotateLeft(x[10] + x[9], 7); x[8] ^= uint.RotateLeft(x[11] + x[10], 9);
            x[9] ^= uint.RotateLeft(x[8] + x[11], 13); x[10] ^= uint.RotateLeft(x[9] + x[8], 18);
            x[12] ^= uint.RotateLeft(x[15] + x[14], 7); x[13] ^= uint.RotateLeft(x[12] + x[15], 9);
            x[14] ^= uint.RotateLeft(x[13] + x[12], 13); x[15] ^= uint.RotateLeft(x[14] + x[13], 18);
        }

        for (var i = 0; i < 16; i++)
        {
            b[i] += x[i];
        }
    }
}
