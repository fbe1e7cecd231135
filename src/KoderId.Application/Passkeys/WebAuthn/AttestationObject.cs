using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KoderId.Domain;

namespace KoderId.Application.Passkeys.WebAuthn;

/// <summary>How far an attestation vouches for the authenticator (§6.5.4). Koder ID records it and trusts none of them more (§7.1 steps 23-24: no trust-anchor policy; ADR 0006).</summary>
public enum AttestationKind
{
    None,
    Self,
    /// <summary>Signed by an attestation certificate (x5c) whose chain is not checked against any root: "uncertainty" in §7.1 terms.</summary>
    Basic,
}

/// <summary>The decoded <c>attestationObject</c> (§6.5.4): format, statement and the authenticator data bytes.</summary>
public sealed record AttestationObject(string Format, AttestationStatement Statement, byte[] AuthData)
{
    public const int MaxBytes = 16 * 1024;

    public static AttestationObject Parse(byte[] cbor)
    {
        ArgumentNullException.ThrowIfNull(cbor);
        if (cbor.Length > MaxBytes)
        {
            throw WebAuthnErrors.Malformed($"the attestation object is over {MaxBytes} bytes");
        }

        try
        {
            var reader = new CborReader(cbor, CborConformanceMode.Strict);
            var count = reader.ReadStartMap();
            if (count is null or > 8)
            {
                throw WebAuthnErrors.Malformed("the attestation object is not a definite map");
            }

            string? fmt = null;
            AttestationStatement? statement = null;
            byte[]? authData = null;
            for (var i = 0; i < count; i++)
            {
                if (reader.PeekState() != CborReaderState.TextString)
                {
                    throw WebAuthnErrors.Malformed("the attestation object has a key that is not text");
                }

                switch (reader.ReadTextString())
                {
                    case "fmt":
                        fmt = reader.ReadTextString();
                        break;
                    case "attStmt":
                        statement = AttestationStatement.Read(reader);
                        break;
                    case "authData":
                        authData = reader.ReadByteString();
                        break;
                    default:
                        reader.SkipValue();
                        break;
                }
            }

            reader.ReadEndMap();
            if (reader.BytesRemaining != 0)
            {
                throw WebAuthnErrors.Malformed("the attestation object has trailing bytes");
            }

            return fmt is null || statement is null || authData is null
                ? throw WebAuthnErrors.Malformed("the attestation object lacks fmt, attStmt or authData")
                : new AttestationObject(fmt, statement, authData);
        }
        catch (CborContentException)
        {
            throw WebAuthnErrors.Malformed("the attestation object is not well-formed CBOR");
        }
        catch (InvalidOperationException)
        {
            throw WebAuthnErrors.Malformed("the attestation object is not well-formed CBOR");
        }
        catch (OverflowException)
        {
            throw WebAuthnErrors.Malformed("the attestation object holds an out-of-range integer");
        }
    }
}

/// <summary>The members of an attestation statement Koder ID reads (<c>packed</c>: alg, sig, x5c); an empty one for <c>none</c>.</summary>
public sealed record AttestationStatement(int Count, long? Alg, byte[]? Sig, IReadOnlyList<byte[]>? X5c)
{
    internal static AttestationStatement Read(CborReader reader)
    {
        var count = reader.ReadStartMap();
        if (count is null or > 8)
        {
            throw WebAuthnErrors.Malformed("attStmt is not a definite map");
        }

        long? alg = null;
        byte[]? sig = null;
        List<byte[]>? x5c = null;
        for (var i = 0; i < count; i++)
        {
            if (reader.PeekState() != CborReaderState.TextString)
            {
                reader.SkipValue();
                reader.SkipValue();
                continue;
            }

            switch (reader.ReadTextString())
            {
                case "alg":
                    alg = reader.ReadInt64();
                    break;
                case "sig":
                    sig = reader.ReadByteString();
                    break;
                case "x5c":
                    var n = reader.ReadStartArray();
                    if (n is null or 0 or > 8)
                    {
                        throw WebAuthnErrors.Malformed("x5c is not a definite array of 1 to 8 certificates");
                    }

                    x5c = [];
                    for (var c = 0; c < n; c++)
                    {
                        x5c.Add(reader.ReadByteString());
                    }

                    reader.ReadEndArray();
                    break;
                default:
                    reader.SkipValue();
                    break;
            }
        }

        reader.ReadEndMap();
        return new AttestationStatement((int)count, alg, sig, x5c);
    }
}

/// <summary>
/// The attestation statement formats Koder ID verifies (§8.2 <c>packed</c>, §8.7 <c>none</c>). Others are refused
/// rather than accepted unverified: a relying party that does not check attestation asks for <c>none</c>, and
/// browsers then send <c>none</c>.
/// </summary>
internal static class AttestationVerifier
{
    private const string AaguidExtensionOid = "1.3.6.1.4.1.45724.1.1.4";

    public static AttestationKind Verify(AttestationObject attestation, AuthenticatorData authData, byte[] clientDataHash)
    {
        switch (attestation.Format)
        {
            case "none":
                if (attestation.Statement.Count != 0)
                {
                    throw Invalid("a none attestation has an empty statement");
                }

                return AttestationKind.None;
            case "packed":
                return VerifyPacked(attestation.Statement, authData, clientDataHash);
            default:
                throw Invalid("the attestation format is not none or packed");
        }
    }

    private static AttestationKind VerifyPacked(AttestationStatement statement, AuthenticatorData authData, byte[] clientDataHash)
    {
        if (statement.Alg is not { } alg || statement.Sig is not { } sig)
        {
            throw Invalid("a packed statement has alg and sig");
        }

        var signed = new byte[authData.Raw.Length + clientDataHash.Length];
        authData.Raw.CopyTo(signed, 0);
        clientDataHash.CopyTo(signed, authData.Raw.Length);
        var credential = authData.Credential!;
        if (statement.X5c is null)
        {
            // Self attestation (§8.2 step 3): the credential key signs, so alg must be the credential's algorithm.
            if (alg != credential.PublicKey.Algorithm)
            {
                throw Invalid("a self attestation's alg is the credential's algorithm");
            }

            return credential.PublicKey.Verify(signed, sig) ? AttestationKind.Self : throw Invalid("the self attestation signature does not verify");
        }

        X509Certificate2 leaf;
        try
        {
            leaf = X509CertificateLoader.LoadCertificate(statement.X5c[0]);
        }
        catch (CryptographicException)
        {
            throw Invalid("the attestation certificate does not decode");
        }

        using (leaf)
        {
            CheckCertificate(leaf, credential.Aaguid);
            bool verified;
            try
            {
                verified = alg switch
                {
                    CoseAlgorithms.Es256 => leaf.GetECDsaPublicKey() is { } ec && Using(ec, k => k.VerifyData(signed, sig, System.Security.Cryptography.HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
                    CoseAlgorithms.Rs256 => leaf.GetRSAPublicKey() is { } rsa && Using(rsa, k => k.VerifyData(signed, sig, System.Security.Cryptography.HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)),
                    _ => throw new DomainException(DomainErrors.WebAuthnUnsupportedAlgorithm, "The attestation algorithm is not ES256 or RS256."),
                };
            }
            catch (CryptographicException)
            {
                verified = false;
            }

            return verified ? AttestationKind.Basic : throw Invalid("the attestation signature does not verify with the certificate");
        }
    }

    /// <summary>§8.2.1: version 3; subject C, O, CN and OU "Authenticator Attestation"; not a CA; the AAGUID extension, when present, names this authenticator.</summary>
    private static void CheckCertificate(X509Certificate2 leaf, Guid aaguid)
    {
        if (leaf.Version != 3)
        {
            throw Invalid("the attestation certificate is not X.509 version 3");
        }

        var subject = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rdn in leaf.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                continue;
            }

            if (rdn.GetSingleElementType().Value is { } oid && rdn.GetSingleElementValue() is { } value)
            {
                subject[oid] = value;
            }
        }

        if (!HasValue(subject, "2.5.4.6") || !HasValue(subject, "2.5.4.10") || !HasValue(subject, "2.5.4.3")
            || !subject.TryGetValue("2.5.4.11", out var ou) || ou != "Authenticator Attestation")
        {
            throw Invalid("the attestation certificate subject lacks C, O, CN or OU \"Authenticator Attestation\"");
        }

        var constraints = leaf.Extensions.OfType<X509BasicConstraintsExtension>().SingleOrDefault();
        if (constraints is null || constraints.CertificateAuthority)
        {
            throw Invalid("the attestation certificate is not marked as no CA");
        }

        var extension = leaf.Extensions[AaguidExtensionOid];
        if (extension is not null)
        {
            // extnValue is an OCTET STRING holding the 16 AAGUID bytes (04 10 ...); it must not be critical.
            var raw = extension.RawData;
            if (extension.Critical || raw.Length != 18 || raw[0] != 0x04 || raw[1] != 0x10
                || new Guid(raw.AsSpan(2), bigEndian: true) != aaguid)
            {
                throw Invalid("the attestation certificate's AAGUID is not the authenticator data's");
            }
        }
    }

    private static bool HasValue(Dictionary<string, string> subject, string oid) => subject.TryGetValue(oid, out var v) && v.Length > 0;

    private static bool Using<T>(T key, Func<T, bool> use)
        where T : IDisposable
    {
        using (key)
        {
            return use(key);
        }
    }

    private static DomainException Invalid(string why) => new(DomainErrors.WebAuthnInvalidAttestation, $"The attestation statement is not valid: {why}.");
}
