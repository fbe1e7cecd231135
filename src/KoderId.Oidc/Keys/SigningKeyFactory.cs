using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using KoderId.Domain.Keys;
using KoderId.Events.Keys;

namespace KoderId.Oidc.Keys;

/// <summary>A freshly generated key pair: the public JWK for the log, the PKCS#8 private key to seal.</summary>
internal sealed record GeneratedSigningKey(string KeyId, PublicJsonWebKey PublicKey, byte[] Pkcs8PrivateKey);

/// <summary>Makes key pairs (RSA 2048 for RS256, P-256 for ES256) and turns JWKs into verification keys.</summary>
internal static class SigningKeyFactory
{
    public static GeneratedSigningKey Generate(string algorithm)
    {
        switch (algorithm)
        {
            case SigningAlgorithms.RS256:
            {
                using var rsa = RSA.Create(2048);
                var p = rsa.ExportParameters(false);
                var jwk = new PublicJsonWebKey("RSA", N: Base64Url.EncodeToString(p.Modulus), E: Base64Url.EncodeToString(p.Exponent));
                return new GeneratedSigningKey(KeyIdOf(algorithm, jwk), jwk, rsa.ExportPkcs8PrivateKey());
            }

            case SigningAlgorithms.ES256:
            {
                using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var p = ec.ExportParameters(false);
                var jwk = new PublicJsonWebKey("EC", Crv: "P-256", X: Base64Url.EncodeToString(p.Q.X), Y: Base64Url.EncodeToString(p.Q.Y));
                return new GeneratedSigningKey(KeyIdOf(algorithm, jwk), jwk, ec.ExportPkcs8PrivateKey());
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Signing keys are RS256 or ES256.");
        }
    }

    /// <summary>The private key object that signs; RSA/ECDsa instances are safe to share between threads for signing.</summary>
    public static AsymmetricAlgorithm ImportPrivate(string algorithm, byte[] pkcs8)
    {
        AsymmetricAlgorithm key = algorithm == SigningAlgorithms.RS256 ? RSA.Create() : ECDsa.Create();
        try
        {
            switch (key)
            {
                case RSA rsa:
                    rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                    break;
                case ECDsa ec:
                    ec.ImportPkcs8PrivateKey(pkcs8, out _);
                    break;
            }

            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>The verification key of a JWK; null when the JWK does not fit the algorithm.</summary>
    public static AsymmetricAlgorithm? ImportPublic(string algorithm, PublicJsonWebKey jwk)
    {
        try
        {
            if (algorithm == SigningAlgorithms.RS256 && jwk is { Kty: "RSA", N: { } n, E: { } e })
            {
                return RSA.Create(new RSAParameters { Modulus = Base64Url.DecodeFromChars(n), Exponent = Base64Url.DecodeFromChars(e) });
            }

            if (algorithm == SigningAlgorithms.ES256 && jwk is { Kty: "EC", Crv: "P-256", X: { } x, Y: { } y })
            {
                return ECDsa.Create(new ECParameters
                {
                    Curve = ECCurve.NamedCurves.nistP256,
                    Q = new ECPoint { X = Base64Url.DecodeFromChars(x), Y = Base64Url.DecodeFromChars(y) },
                });
            }
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return null;
        }

        return null;
    }

    /// <summary>The algorithm followed by the RFC 7638 thumbprint: unique per key, stable, and says what the key is.</summary>
    private static string KeyIdOf(string algorithm, PublicJsonWebKey jwk)
    {
        var canonical = jwk.Kty == "RSA"
            ? $$"""{"e":"{{jwk.E}}","kty":"RSA","n":"{{jwk.N}}"}"""
            : $$"""{"crv":"{{jwk.Crv}}","kty":"EC","x":"{{jwk.X}}","y":"{{jwk.Y}}"}""";
        return $"{algorithm}-{Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
    }
}
