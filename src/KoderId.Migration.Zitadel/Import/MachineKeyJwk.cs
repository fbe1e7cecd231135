using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace KoderId.Migration.Zitadel.Import;

/// <summary>What became of one machine key: a public JWK, an error (the export is broken), or a reason it cannot be used.</summary>
internal sealed record MachineKeyConversion(JsonObject? Jwk, string? Error, string? Unusable);

/// <summary>
/// A Zitadel machine key's public key (protobuf bytes: base64 of a PEM <c>PUBLIC KEY</c>, SubjectPublicKeyInfo) as a
/// public JWK for the client's <c>private_key_jwt</c> (ADR 0007): RSA of 2048 bits or more as RS256, EC P-256 as
/// ES256, <c>kid</c> the Zitadel key id and <c>exp</c> its expiration (NumericDate; the client authenticator stops
/// using the key then). Errors and reasons never quote the key material.
/// </summary>
internal static class MachineKeyJwk
{
    public const int MinRsaBits = 2048;

    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";
    private const string P256Oid = "1.2.840.10045.3.1.7";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static MachineKeyConversion Convert(string publicKey, string keyId, DateTimeOffset? expires)
    {
        if (!TryDecodeBase64(publicKey, out var bytes))
        {
            return Error("is not base64 (protobuf JSON bytes)");
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Error("is not a PEM public key (-----BEGIN PUBLIC KEY-----)");
        }

        if (!PemEncoding.TryFind(text, out var pem))
        {
            return Error("is not a PEM public key (-----BEGIN PUBLIC KEY-----)");
        }

        var label = text[pem.Label];
        if (label.Contains("PRIVATE", StringComparison.Ordinal))
        {
            // Never imported, never echoed: only that it is one.
            return Error("holds a private key; a machine key's public key is a PEM PUBLIC KEY");
        }

        var der = new byte[pem.DecodedDataLength];
        if (!System.Convert.TryFromBase64Chars(text.AsSpan()[pem.Base64Data], der, out var written) || written != der.Length)
        {
            return Error("is not a PEM public key (-----BEGIN PUBLIC KEY-----)");
        }

        try
        {
            switch (label)
            {
                case "PUBLIC KEY":
                {
                    var info = PublicKey.CreateFromSubjectPublicKeyInfo(der, out var read);
                    if (read != der.Length)
                    {
                        return Error("the PEM holds more than one public key");
                    }

                    return info.Oid.Value switch
                    {
                        RsaOid => Rsa(info.GetRSAPublicKey(), keyId, expires),
                        EcOid => Ec(info, keyId, expires),
                        var oid => Unusable($"a key of algorithm {info.Oid.FriendlyName ?? oid}: Koder ID accepts RSA (RS256) and EC P-256 (ES256) keys"),
                    };
                }

                case "RSA PUBLIC KEY":
                {
                    // PKCS#1, which some tools write instead of SubjectPublicKeyInfo.
                    var rsa = RSA.Create();
                    rsa.ImportRSAPublicKey(der, out var read);
                    return read == der.Length ? Rsa(rsa, keyId, expires) : Error("the PEM holds more than one public key");
                }

                default:
                    return Error($"is a PEM {label}, not a PUBLIC KEY");
            }
        }
        catch (CryptographicException)
        {
            return Error("the PEM does not hold a valid public key");
        }
    }

    private static MachineKeyConversion Rsa(RSA? rsa, string keyId, DateTimeOffset? expires)
    {
        if (rsa is null)
        {
            return Error("the PEM does not hold a valid public key");
        }

        using (rsa)
        {
            if (rsa.KeySize < MinRsaBits)
            {
                return Unusable($"an RSA key of {rsa.KeySize} bits: RS256 assertions are verified with keys of {MinRsaBits} bits or more");
            }

            var p = rsa.ExportParameters(includePrivateParameters: false);
            return Jwk(new JsonObject { ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = keyId, ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent) }, expires);
        }
    }

    private static MachineKeyConversion Ec(PublicKey info, string keyId, DateTimeOffset? expires)
    {
        ECDsa? ec;
        try
        {
            ec = info.GetECDsaPublicKey();
        }
        catch (CryptographicException)
        {
            return Unusable("an EC key on a curve this server cannot load: Koder ID accepts EC P-256 (ES256) keys");
        }

        if (ec is null)
        {
            return Error("the PEM does not hold a valid public key");
        }

        using (ec)
        {
            var p = ec.ExportParameters(includePrivateParameters: false);
            if (p.Curve.Oid?.Value != P256Oid)
            {
                return Unusable($"an EC key on {p.Curve.Oid?.FriendlyName ?? p.Curve.Oid?.Value ?? "an explicit curve"}: Koder ID accepts EC keys on P-256 (ES256) only");
            }

            return Jwk(new JsonObject { ["kty"] = "EC", ["use"] = "sig", ["alg"] = "ES256", ["kid"] = keyId, ["crv"] = "P-256", ["x"] = Base64Url.EncodeToString(p.Q.X), ["y"] = Base64Url.EncodeToString(p.Q.Y) }, expires);
        }
    }

    private static MachineKeyConversion Jwk(JsonObject jwk, DateTimeOffset? expires)
    {
        if (expires is { } exp)
        {
            jwk["exp"] = exp.ToUnixTimeSeconds();
        }

        return new MachineKeyConversion(jwk, null, null);
    }

    /// <summary>protobuf JSON bytes: standard or URL-safe base64, padded or not.</summary>
    private static bool TryDecodeBase64(string value, out byte[] bytes)
    {
        var text = string.Concat(value.Where(c => !char.IsWhiteSpace(c))).Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        bytes = new byte[text.Length / 4 * 3];
        if (text.Length == 0 || !System.Convert.TryFromBase64String(text, bytes, out var written))
        {
            bytes = [];
            return false;
        }

        bytes = bytes[..written];
        return true;
    }

    private static MachineKeyConversion Error(string why) => new(null, why, null);

    private static MachineKeyConversion Unusable(string why) => new(null, null, why);
}
