using System.Buffers.Binary;
using System.Security.Cryptography;

namespace KoderId.Application.Credentials.Legacy;

/// <summary>
/// SHA-224 (FIPS 180-4 §6.3): SHA-256's compression with its own initial values, truncated to 28 bytes. .NET
/// has no SHA-224, and passwap writes <c>$pbkdf2-sha224$</c> hashes, so it is here: only for verifying
/// imported PBKDF2-HMAC-SHA224 hashes (tested against the FIPS 180-2 and RFC 3874 vectors).
/// </summary>
internal sealed class Sha224
{
    public const int HashBytes = 28;
    public const int BlockBytes = 64;

    private static readonly uint[] Initial =
    [
        0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4,
    ];

    private static readonly uint[] K =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    private readonly uint[] _state = new uint[8];
    private readonly byte[] _buffer = new byte[BlockBytes];
    private readonly uint[] _w = new uint[64];
    private int _buffered;
    private ulong _length;

    public Sha224() => Reset();

    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var sha = new Sha224();
        sha.Append(data);
        var output = new byte[HashBytes];
        sha.Finish(output);
        return output;
    }

    public void Reset()
    {
        Initial.CopyTo(_state, 0);
        _buffered = 0;
        _length = 0;
    }

    /// <summary>This hash's running state copied into <paramref name="target"/> (for HMAC's precomputed pads).</summary>
    public void CopyTo(Sha224 target)
    {
        _state.CopyTo(target._state, 0);
        _buffer.CopyTo(target._buffer, 0);
        target._buffered = _buffered;
        target._length = _length;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        _length += (ulong)data.Length;
        if (_buffered > 0)
        {
            var take = Math.Min(BlockBytes - _buffered, data.Length);
            data[..take].CopyTo(_buffer.AsSpan(_buffered));
            _buffered += take;
            data = data[take..];
            if (_buffered < BlockBytes)
            {
                return;
            }

            Compress(_buffer);
            _buffered = 0;
        }

        while (data.Length >= BlockBytes)
        {
            Compress(data[..BlockBytes]);
            data = data[BlockBytes..];
        }

        data.CopyTo(_buffer);
        _buffered = data.Length;
    }

    /// <summary>Writes the 28-byte digest and resets.</summary>
    public void Finish(Span<byte> output)
    {
        var bits = _length * 8;
        Span<byte> pad = stackalloc byte[BlockBytes * 2];
        pad.Clear();
        pad[0] = 0x80;
        var padLength = (_buffered < 56 ? 56 : 120) - _buffered;
        BinaryPrimitives.WriteUInt64BigEndian(pad.Slice(padLength, 8), bits);
        var length = _length;
        Append(pad[..(padLength + 8)]);
        _length = length;
        for (var i = 0; i < 7; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(output.Slice(i * 4, 4), _state[i]);
        }

        Reset();
    }

    private void Compress(ReadOnlySpan<byte> block)
    {
        var w = _w;
        for (var i = 0; i < 16; i++)
        {
            w[i] = BinaryPrimitives.ReadUInt32BigEndian(block.Slice(i * 4, 4));
        }

        for (var i = 16; i < 64; i++)
        {
            var s0 = uint.RotateRight(w[i - 15], 7) ^ uint.RotateRight(w[i - 15], 18) ^ (w[i - 15] >> 3);
            var s1 = uint.RotateRight(w[i - 2], 17) ^ uint.RotateRight(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }

        uint a = _state[0], b = _state[1], c = _state[2], d = _state[3], e = _state[4], f = _state[5], g = _state[6], h = _state[7];
        for (var i = 0; i < 64; i++)
        {
            var s1 = uint.RotateRight(e, 6) ^ uint.RotateRight(e, 11) ^ uint.RotateRight(e, 25);
            var ch = (e & f) ^ (~e & g);
            var t1 = h + s1 + ch + K[i] + w[i];
            var s0 = uint.RotateRight(a, 2) ^ uint.RotateRight(a, 13) ^ uint.RotateRight(a, 22);
            var maj = (a & b) ^ (a & c) ^ (b & c);
            var t2 = s0 + maj;
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }

        _state[0] += a;
        _state[1] += b;
        _state[2] += c;
        _state[3] += d;
        _state[4] += e;
        _state[5] += f;
        _state[6] += g;
        _state[7] += h;
    }

    /// <summary>PBKDF2 (RFC 8018 §5.2) with HMAC-SHA224 (RFC 2104, block 64 bytes), the pads hashed once.</summary>
    public static byte[] Pbkdf2(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int iterations, int length)
    {
        Span<byte> key = stackalloc byte[BlockBytes];
        key.Clear();
        if (password.Length > BlockBytes)
        {
            Hash(password).CopyTo(key);
        }
        else
        {
            password.CopyTo(key);
        }

        var inner = new Sha224();
        var outer = new Sha224();
        Span<byte> pad = stackalloc byte[BlockBytes];
        for (var i = 0; i < BlockBytes; i++)
        {
            pad[i] = (byte)(key[i] ^ 0x36);
        }

        inner.Append(pad);
        for (var i = 0; i < BlockBytes; i++)
        {
            pad[i] = (byte)(key[i] ^ 0x5c);
        }

        outer.Append(pad);
        CryptographicOperations.ZeroMemory(key);
        CryptographicOperations.ZeroMemory(pad);

        var work = new Sha224();
        var output = new byte[length];
        Span<byte> u = stackalloc byte[HashBytes];
        Span<byte> t = stackalloc byte[HashBytes];
        Span<byte> counter = stackalloc byte[4];
        for (uint block = 1, offset = 0; offset < length; block++, offset += HashBytes)
        {
            BinaryPrimitives.WriteUInt32BigEndian(counter, block);
            inner.CopyTo(work);
            work.Append(salt);
            work.Append(counter);
            work.Finish(u);
            outer.CopyTo(work);
            work.Append(u);
            work.Finish(u);
            u.CopyTo(t);
            for (var i = 1; i < iterations; i++)
            {
                inner.CopyTo(work);
                work.Append(u);
                work.Finish(u);
                outer.CopyTo(work);
                work.Append(u);
                work.Finish(u);
                for (var j = 0; j < HashBytes; j++)
                {
                    t[j] ^= u[j];
                }
            }

            t[..Math.Min(HashBytes, length - (int)offset)].CopyTo(output.AsSpan((int)offset));
        }

        return output;
    }
}
