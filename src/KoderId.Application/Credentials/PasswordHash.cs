using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace KoderId.Application.Credentials;

/// <summary>
/// An Argon2id hash in PHC string form, exactly as libsodium and the reference <c>argon2</c> CLI write it:
/// <c>$argon2id$v=19$m=&lt;KiB&gt;,t=&lt;iterations&gt;,p=&lt;lanes&gt;$&lt;salt&gt;$&lt;hash&gt;</c>, salt and hash in
/// standard Base64 without padding. Parsing is strict: one canonical spelling per value, so a stored string
/// either means exactly one hash or is refused with a <see cref="PasswordHashFormatError"/>.
/// </summary>
public sealed class PasswordHash
{
    public const string Algorithm = "argon2id";

    /// <summary>Argon2 version 1.3 (0x13), the only one written since 2016.</summary>
    public const int Version = 19;

    public const int MinSaltBytes = 8;
    public const int MaxSaltBytes = 64;
    public const int MinHashBytes = 16;
    public const int MaxHashBytes = 64;

    private readonly byte[] _salt;
    private readonly byte[] _hash;

    private PasswordHash(Argon2idParameters parameters, byte[] salt, byte[] hash)
    {
        Parameters = parameters;
        _salt = salt;
        _hash = hash;
    }

    public Argon2idParameters Parameters { get; }

    public ReadOnlySpan<byte> Salt => _salt;

    public ReadOnlySpan<byte> Hash => _hash;

    /// <summary>Builds a hash from its parts; the parts are copied.</summary>
    public static PasswordHash Create(Argon2idParameters parameters, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> hash)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (salt.Length is < MinSaltBytes or > MaxSaltBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(salt), $"The salt must be {MinSaltBytes} to {MaxSaltBytes} bytes.");
        }

        if (hash.Length is < MinHashBytes or > MaxHashBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(hash), $"The hash must be {MinHashBytes} to {MaxHashBytes} bytes.");
        }

        return new PasswordHash(parameters, salt.ToArray(), hash.ToArray());
    }

    /// <summary>Parses a PHC string or throws <see cref="PasswordHashFormatException"/> (which never carries the input).</summary>
    public static PasswordHash Parse(string? phc) =>
        TryParse(phc, out var hash, out var error) ? hash : throw new PasswordHashFormatException(error);

    /// <summary>Parses a PHC string; never throws.</summary>
    public static bool TryParse(string? phc, [NotNullWhen(true)] out PasswordHash? hash, out PasswordHashFormatError error)
    {
        hash = null;
        error = Parse(phc, out var parsed);
        hash = parsed;
        return error == PasswordHashFormatError.None;
    }

    /// <summary>The canonical PHC string.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"${Algorithm}$v={Version}$m={Parameters.MemoryKiB},t={Parameters.Iterations},p={Parameters.Parallelism}${ToB64(_salt)}${ToB64(_hash)}");

    private static PasswordHashFormatError Parse(string? phc, out PasswordHash? hash)
    {
        hash = null;
        if (string.IsNullOrEmpty(phc) || phc.Length > 512 || phc[0] != '$')
        {
            return PasswordHashFormatError.Malformed;
        }

        // "$a$b$c$d$e" splits into an empty first field and five fields.
        var fields = phc.Split('$');
        if (fields.Length < 2)
        {
            return PasswordHashFormatError.Malformed;
        }

        if (!string.Equals(fields[1], Algorithm, StringComparison.Ordinal))
        {
            return PasswordHashFormatError.UnsupportedAlgorithm;
        }

        if (fields.Length != 6)
        {
            return PasswordHashFormatError.Malformed;
        }

        if (!fields[2].StartsWith("v=", StringComparison.Ordinal) || !TryParseDecimal(fields[2].AsSpan(2), out var version))
        {
            return PasswordHashFormatError.Malformed;
        }

        if (version != Version)
        {
            return PasswordHashFormatError.UnsupportedVersion;
        }

        var parameters = fields[3].Split(',');
        if (parameters.Length != 3
            || !TryParseNamed(parameters[0], "m=", out var memory)
            || !TryParseNamed(parameters[1], "t=", out var iterations)
            || !TryParseNamed(parameters[2], "p=", out var parallelism))
        {
            return PasswordHashFormatError.Malformed;
        }

        if (!Argon2idParameters.AreInRange(memory, iterations, parallelism))
        {
            return PasswordHashFormatError.ParameterOutOfRange;
        }

        if (!TryFromB64(fields[4], out var salt) || !TryFromB64(fields[5], out var digest))
        {
            return PasswordHashFormatError.Malformed;
        }

        if (salt.Length is < MinSaltBytes or > MaxSaltBytes || digest.Length is < MinHashBytes or > MaxHashBytes)
        {
            return PasswordHashFormatError.ParameterOutOfRange;
        }

        hash = new PasswordHash(new Argon2idParameters((int)memory, (int)iterations, (int)parallelism), salt, digest);
        return PasswordHashFormatError.None;
    }

    private static bool TryParseNamed(string field, string prefix, out long value)
    {
        value = 0;
        return field.StartsWith(prefix, StringComparison.Ordinal) && TryParseDecimal(field.AsSpan(prefix.Length), out value);
    }

    // PHC: decimal, no sign, no leading zero; ten digits is past every range we accept, so no overflow.
    private static bool TryParseDecimal(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 10 || (text[0] == '0' && text.Length > 1))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    private static string ToB64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    // Standard alphabet, no padding, and canonical: the unused low bits of the last character must be zero,
    // so re-encoding gives back the same text (otherwise two strings would name one hash).
    private static bool TryFromB64(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Length % 4 == 1)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '+' or '/'))
            {
                return false;
            }
        }

        var padded = text.Length % 4 == 0 ? text : text + new string('=', 4 - (text.Length % 4));
        var buffer = new byte[padded.Length / 4 * 3];
        if (Base64.DecodeFromUtf8(Encoding.ASCII.GetBytes(padded), buffer, out _, out var written) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        bytes = buffer[..written];
        return string.Equals(ToB64(bytes), text, StringComparison.Ordinal);
    }
}

/// <summary>Why a PHC string was refused. Stable names: the API and logs may use them.</summary>
public enum PasswordHashFormatError
{
    None = 0,
    Malformed,
    UnsupportedAlgorithm,
    UnsupportedVersion,
    ParameterOutOfRange,
}

/// <summary>
/// A stored password hash could not be read. The message names the reason only, never the string: a PHC
/// string is a credential verifier and must not reach a log line.
/// </summary>
public sealed class PasswordHashFormatException(PasswordHashFormatError error)
    : Exception($"{Code} password.hash_invalid: the stored password hash was refused ({error}).")
{
    public const string Code = "KID1105";

    public PasswordHashFormatError Error { get; } = error;
}
