using System.Formats.Cbor;
using System.Security.Cryptography;
using KoderId.Domain;

namespace KoderId.Application.Passkeys.WebAuthn;

/// <summary>The COSE algorithms Koder ID accepts for a credential (IANA COSE registry); anything else is refused.</summary>
public static class CoseAlgorithms
{
    public const int Es256 = -7;
    public const int EdDsa = -8;
    public const int Rs256 = -257;

    /// <summary>In the order the registration options prefer them.</summary>
    public static readonly IReadOnlyList<int> Supported = [Es256, EdDsa, Rs256];

    public static bool IsSupported(int alg) => alg is Es256 or EdDsa or Rs256;
}

/// <summary>
/// A credential public key in COSE_Key form (RFC 9052 §7, RFC 9053, RFC 8230): EC2 P-256 with ES256, OKP
/// Ed25519 with EdDSA, RSA (2048 bits or more) with RS256. Parsing checks that the key type, curve and sizes
/// fit the algorithm, so a key is usable for exactly one algorithm. Ed25519 is NSec's: the BCL has none.
/// </summary>
public sealed class CoseKey
{
    private const int KtyOkp = 1;
    private const int KtyEc2 = 2;
    private const int KtyRsa = 3;
    private const int CrvP256 = 1;
    private const int CrvEd25519 = 6;

    private CoseKey(int algorithm, ECParameters? ec, RSAParameters? rsa, byte[]? ed25519)
    {
        Algorithm = algorithm;
        _ec = ec;
        _rsa = rsa;
        _ed25519 = ed25519;
    }

    private readonly ECParameters? _ec;
    private readonly RSAParameters? _rsa;
    private readonly byte[]? _ed25519;

    public int Algorithm { get; }

    public static CoseKey Parse(byte[] cose)
    {
        ArgumentNullException.ThrowIfNull(cose);
        var ints = new Dictionary<long, long>();
        var bytes = new Dictionary<long, byte[]>();
        try
        {
            var reader = new CborReader(cose, CborConformanceMode.Strict);
            var count = reader.ReadStartMap();
            if (count is null or > 16)
            {
                throw WebAuthnErrors.Malformed("the COSE key is not a definite map of at most 16 entries");
            }

            for (var i = 0; i < count; i++)
            {
                if (reader.PeekState() is not (CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger))
                {
                    reader.SkipValue();
                    reader.SkipValue();
                    continue;
                }

                var label = reader.ReadInt64();
                switch (reader.PeekState())
                {
                    case CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger:
                        ints[label] = reader.ReadInt64();
                        break;
                    case CborReaderState.ByteString:
                        bytes[label] = reader.ReadByteString();
                        break;
                    default:
                        reader.SkipValue();
                        break;
                }
            }

            reader.ReadEndMap();
            if (reader.BytesRemaining != 0)
            {
                throw WebAuthnErrors.Malformed("the COSE key has trailing bytes");
            }
        }
        catch (CborContentException)
        {
            throw WebAuthnErrors.Malformed("the COSE key is not well-formed CBOR");
        }
        catch (InvalidOperationException)
        {
            throw WebAuthnErrors.Malformed("the COSE key is not well-formed CBOR");
        }
        catch (OverflowException)
        {
            throw WebAuthnErrors.Malformed("the COSE key holds an out-of-range integer");
        }

        if (!ints.TryGetValue(1, out var kty) || !ints.TryGetValue(3, out var alg))
        {
            throw WebAuthnErrors.Malformed("the COSE key has no kty or alg");
        }

        return (alg, kty) switch
        {
            (CoseAlgorithms.Es256, KtyEc2) => Ec2(ints, bytes),
            (CoseAlgorithms.EdDsa, KtyOkp) => Okp(ints, bytes),
            (CoseAlgorithms.Rs256, KtyRsa) => Rsa(bytes),
            _ when !CoseAlgorithms.IsSupported((int)Math.Clamp(alg, int.MinValue, int.MaxValue)) =>
                throw new DomainException(DomainErrors.WebAuthnUnsupportedAlgorithm, "The credential's COSE algorithm is not ES256, EdDSA or RS256."),
            _ => throw InvalidKey("the key type does not fit the algorithm"),
        };
    }

    /// <summary>Verifies <paramref name="signature"/> over <paramref name="data"/>; false for a wrong or malformed signature.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            switch (Algorithm)
            {
                case CoseAlgorithms.Es256:
                    using (var ecdsa = ECDsa.Create(_ec!.Value))
                    {
                        return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
                    }

                case CoseAlgorithms.Rs256:
                    using (var rsa = RSA.Create(_rsa!.Value))
                    {
                        return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                    }

                case CoseAlgorithms.EdDsa:
                    var algorithm = NSec.Cryptography.SignatureAlgorithm.Ed25519;
                    var key = NSec.Cryptography.PublicKey.Import(algorithm, _ed25519, NSec.Cryptography.KeyBlobFormat.RawPublicKey);
                    return algorithm.Verify(key, data, signature);
                default:
                    return false;
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static CoseKey Ec2(Dictionary<long, long> ints, Dictionary<long, byte[]> bytes)
    {
        if (!ints.TryGetValue(-1, out var crv) || crv != CrvP256
            || !bytes.TryGetValue(-2, out var x) || x.Length != 32 || !bytes.TryGetValue(-3, out var y) || y.Length != 32)
        {
            throw InvalidKey("an ES256 key is a P-256 point with 32-byte x and y");
        }

        var parameters = new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } };
        try
        {
            // Import validates that the point is on the curve: a key that is not fails here, at registration.
            using var ecdsa = ECDsa.Create(parameters);
        }
        catch (CryptographicException)
        {
            throw InvalidKey("the point is not on P-256");
        }

        return new CoseKey(CoseAlgorithms.Es256, parameters, null, null);
    }

    private static CoseKey Okp(Dictionary<long, long> ints, Dictionary<long, byte[]> bytes)
    {
        if (!ints.TryGetValue(-1, out var crv) || crv != CrvEd25519 || !bytes.TryGetValue(-2, out var x) || x.Length != 32)
        {
            throw InvalidKey("an EdDSA key is an Ed25519 key of 32 bytes");
        }

        try
        {
            NSec.Cryptography.PublicKey.Import(NSec.Cryptography.SignatureAlgorithm.Ed25519, x, NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        }
        catch (FormatException)
        {
            throw InvalidKey("the Ed25519 key does not decode");
        }

        return new CoseKey(CoseAlgorithms.EdDsa, null, null, x);
    }

    private static CoseKey Rsa(Dictionary<long, byte[]> bytes)
    {
        if (!bytes.TryGetValue(-1, out var n) || !bytes.TryGetValue(-2, out var e) || e.Length is 0 or > 8 || n.Length == 0 || n[0] == 0)
        {
            throw InvalidKey("an RS256 key has a modulus n and an exponent e");
        }

        if (n.Length * 8 < 2048 || n.Length > 1024)
        {
            throw InvalidKey("an RS256 modulus is 2048 to 8192 bits");
        }

        return new CoseKey(CoseAlgorithms.Rs256, null, new RSAParameters { Modulus = n, Exponent = e }, null);
    }

    private static DomainException InvalidKey(string why) => new(DomainErrors.WebAuthnInvalidPublicKey, $"The credential public key is not valid: {why}.");
}
