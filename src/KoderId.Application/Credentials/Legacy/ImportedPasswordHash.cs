using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KoderId.Application.Credentials.Legacy;

/// <summary>
/// A password hash brought from another system (a Zitadel export), kept as it is until the user's first
/// successful sign-in, which replaces it with Argon2id (ADR 0007). The formats are Zitadel's
/// (github.com/zitadel/passwap): bcrypt <c>$2a$</c>/<c>$2b$</c>/<c>$2y$</c>; <c>$argon2i$</c> and
/// <c>$argon2id$</c> PHC strings; <c>$scrypt$ln=..,r=..,p=..$salt$hash</c> (also <c>$7$</c>-less passlib form);
/// <c>$pbkdf2[-sha224|-sha256|-sha384|-sha512]$rounds$salt$hash</c> (passlib's adapted base64, standard
/// base64 with padding accepted too, as Keycloak exports through zitadel-tools write it); sha-crypt
/// <c>$5$</c>/<c>$6$</c>; md5-crypt <c>$1$</c>. Parsing never echoes the string: it is a credential verifier.
/// </summary>
public sealed class ImportedPasswordHash
{
    private readonly Func<string, bool> _verify;

    private ImportedPasswordHash(string scheme, Func<string, bool> verify)
    {
        Scheme = scheme;
        _verify = verify;
    }

    /// <summary>A short, stable name of the scheme (<c>bcrypt</c>, <c>pbkdf2-sha256</c>, ...), safe to report.</summary>
    public string Scheme { get; }

    /// <summary>True when <paramref name="password"/> matches (the comparison is constant-time). An empty password never matches.</summary>
    public bool Verify(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        return password.Length > 0 && _verify(password);
    }

    /// <summary>Recognises and parses an imported hash; never throws, never keeps the string in an error.</summary>
    public static bool TryParse(string? encoded, [NotNullWhen(true)] out ImportedPasswordHash? hash, out PasswordHashFormatError error)
    {
        hash = null;
        if (string.IsNullOrEmpty(encoded) || encoded.Length > 512 || encoded[0] != '$' || encoded.Any(c => c is < '!' or > '~'))
        {
            error = PasswordHashFormatError.Malformed;
            return false;
        }

        var id = encoded.Split('$')[1];
        switch (id)
        {
            case "2a" or "2b" or "2y":
                return TryBcrypt(encoded, out hash, out error);
            case "argon2i" or "argon2id":
                return TryArgon2(encoded, id, out hash, out error);
            case "scrypt":
                return TryScrypt(encoded, out hash, out error);
            case "pbkdf2" or "pbkdf2-sha224" or "pbkdf2-sha256" or "pbkdf2-sha384" or "pbkdf2-sha512":
                return TryPbkdf2(encoded, id, out hash, out error);
            case "5" or "6":
                if (ShaCrypt.TryParse(encoded, out var sha, out error))
                {
                    hash = new ImportedPasswordHash(sha!.Sha512 ? "sha512-crypt" : "sha256-crypt", p => ShaCrypt.Verify(p, sha));
                    return true;
                }

                return false;
            case "1":
                if (Md5Crypt.TryParse(encoded, out var md5, out error))
                {
                    hash = new ImportedPasswordHash("md5-crypt", p => Md5Crypt.Verify(p, md5!));
                    return true;
                }

                return false;
            default:
                error = PasswordHashFormatError.UnsupportedAlgorithm;
                return false;
        }
    }

    private static bool TryBcrypt(string encoded, out ImportedPasswordHash? hash, out PasswordHashFormatError error)
    {
        hash = null;

        // $2b$NN$ + 22 characters of salt + 31 of hash, bcrypt's own base64.
        var parts = encoded.Split('$');
        if (parts.Length != 4 || parts[2].Length != 2 || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var cost) ||
            parts[3].Length != 53 || !parts[3].All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '/'))
        {
            error = PasswordHashFormatError.Malformed;
            return false;
        }

        if (cost is < 4 or > 16)
        {
            // Cost 17 and up takes seconds per login: refused rather than computed (cost 14 is Zitadel's default).
            error = PasswordHashFormatError.ParameterOutOfRange;
            return false;
        }

        hash = new ImportedPasswordHash("bcrypt", p => VerifyBcrypt(p, encoded));
        error = PasswordHashFormatError.None;
        return true;
    }

    private static bool VerifyBcrypt(string password, string encoded)
    {
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, encoded);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
    }

    private static bool TryArgon2(string encoded, string id, out ImportedPasswordHash? hash, out PasswordHashFormatError error)
    {
        hash = null;
        error = PasswordHashFormatError.Malformed;

        // $argon2i$v=19$m=4096,t=3,p=1$salt$hash
        var parts = encoded.Split('$');
        if (parts.Length != 6 || parts[2] != "v=19")
        {
            error = parts.Length == 6 && parts[2].StartsWith("v=", StringComparison.Ordinal) ? PasswordHashFormatError.UnsupportedVersion : error;
            return false;
        }

        var values = new Dictionary<char, int>();
        foreach (var pair in parts[3].Split(','))
        {
            if (pair.Length < 3 || pair[1] != '=' || !int.TryParse(pair.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || !values.TryAdd(pair[0], value))
            {
                return false;
            }
        }

        if (values.Count != 3 || !values.TryGetValue('m', out var m) || !values.TryGetValue('t', out var t) || !values.TryGetValue('p', out var p))
        {
            return false;
        }

        if (!TryBase64(parts[4], out var salt) || !TryBase64(parts[5], out var digest) || salt.Length < 8 || digest.Length < 4)
        {
            return false;
        }

        if (!Argon2idParameters.AreInRange(m, t, p) || salt.Length > 64 || digest.Length > 64)
        {
            error = PasswordHashFormatError.ParameterOutOfRange;
            return false;
        }

        var argon2i = id == "argon2i";
        hash = new ImportedPasswordHash(id, password =>
        {
            var bytes = Encoding.UTF8.GetBytes(password);
            try
            {
                Konscious.Security.Cryptography.Argon2 engine = argon2i
                    ? new Konscious.Security.Cryptography.Argon2i(bytes)
                    : new Konscious.Security.Cryptography.Argon2id(bytes);
                using (engine)
                {
                    engine.Salt = salt;
                    engine.MemorySize = m;
                    engine.Iterations = t;
                    engine.DegreeOfParallelism = p;
                    return CryptographicOperations.FixedTimeEquals(engine.GetBytes(digest.Length), digest);
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        });
        error = PasswordHashFormatError.None;
        return true;
    }

    private static bool TryScrypt(string encoded, out ImportedPasswordHash? hash, out PasswordHashFormatError error)
    {
        hash = null;
        error = PasswordHashFormatError.Malformed;

        // $scrypt$ln=16,r=8,p=1$salt$hash (passlib), salt and hash base64 without padding.
        var parts = encoded.Split('$');
        if (parts.Length != 5)
        {
            return false;
        }

        var values = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pair in parts[2].Split(','))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !int.TryParse(pair.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || !values.TryAdd(pair[..eq], value))
            {
                return false;
            }
        }

        if (values.Count != 3 || !values.TryGetValue("ln", out var ln) || !values.TryGetValue("r", out var r) || !values.TryGetValue("p", out var p) ||
            !TryBase64(parts[3], out var salt) || !TryBase64(parts[4], out var digest) || digest.Length < 16 || digest.Length > 128)
        {
            return false;
        }

        if (ln is < 1 or > 30 || !Scrypt.AreInRange(1L << ln, r, p))
        {
            error = PasswordHashFormatError.ParameterOutOfRange;
            return false;
        }

        hash = new ImportedPasswordHash("scrypt", password =>
        {
            var bytes = Encoding.UTF8.GetBytes(password);
            try
            {
                return CryptographicOperations.FixedTimeEquals(Scrypt.DeriveKey(bytes, salt, 1 << ln, r, p, digest.Length), digest);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        });
        error = PasswordHashFormatError.None;
        return true;
    }

    private static bool TryPbkdf2(string encoded, string id, out ImportedPasswordHash? hash, out PasswordHashFormatError error)
    {
        hash = null;
        error = PasswordHashFormatError.Malformed;

        // $pbkdf2-sha256$rounds$salt$hash
        var parts = encoded.Split('$');
        if (parts.Length != 5 || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var rounds) || rounds < 1 ||
            !TryAdaptedBase64(parts[3], out var salt) || !TryAdaptedBase64(parts[4], out var digest) || digest.Length < 16 || digest.Length > 128)
        {
            return false;
        }

        if (rounds > 10_000_000)
        {
            error = PasswordHashFormatError.ParameterOutOfRange;
            return false;
        }

        var algorithm = id switch
        {
            "pbkdf2" => HashAlgorithmName.SHA1,
            "pbkdf2-sha256" => HashAlgorithmName.SHA256,
            "pbkdf2-sha384" => HashAlgorithmName.SHA384,
            "pbkdf2-sha512" => HashAlgorithmName.SHA512,
            _ => default,
        };
        hash = new ImportedPasswordHash(id == "pbkdf2" ? "pbkdf2-sha1" : id, password =>
        {
            var bytes = Encoding.UTF8.GetBytes(password);
            try
            {
                var actual = algorithm == default
                    ? Sha224.Pbkdf2(bytes, salt, rounds, digest.Length)
                    : Rfc2898DeriveBytes.Pbkdf2(bytes, salt, rounds, algorithm, digest.Length);
                return CryptographicOperations.FixedTimeEquals(actual, digest);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        });
        error = PasswordHashFormatError.None;
        return true;
    }

    /// <summary>passlib's adapted base64 ('.' for '+', no padding) or standard base64 with or without padding.</summary>
    private static bool TryAdaptedBase64(string text, out byte[] bytes) => TryBase64(text.Replace('.', '+'), out bytes);

    private static bool TryBase64(string text, out byte[] bytes)
    {
        bytes = [];
        var trimmed = text.TrimEnd('=');
        if (trimmed.Length == 0 || trimmed.Length % 4 == 1 || text.Length - trimmed.Length > 2)
        {
            return false;
        }

        var padded = trimmed.Length % 4 == 0 ? trimmed : trimmed + new string('=', 4 - (trimmed.Length % 4));
        var buffer = new byte[padded.Length / 4 * 3];
        if (Base64.DecodeFromUtf8(Encoding.ASCII.GetBytes(padded), buffer, out _, out var written) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        bytes = buffer[..written];
        return true;
    }
}
