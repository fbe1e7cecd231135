using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KoderId.Domain.Keys;

namespace KoderId.Oidc.Keys;

/// <summary>Signs our JWTs with the tenant's active key of an algorithm.</summary>
public interface ITokenSigner
{
    /// <summary>A compact JWS with <c>alg</c>, <c>kid</c> and <c>typ</c> headers over <paramref name="claims"/> serialized as JSON.</summary>
    /// <param name="typ">For example <c>at+jwt</c> (RFC 9068) or <c>JWT</c>.</param>
    ValueTask<string> SignAsync(string tenantId, string algorithm, string typ, IReadOnlyDictionary<string, object?> claims, CancellationToken ct = default);
}

/// <summary>
/// A hand-built JWS (RFC 7515 compact serialization): header and payload written once with System.Text.Json, one
/// RSA or ECDSA signature with the cached private key. This is the client_credentials hot path: no database, no
/// allocation beyond the token itself and the JSON buffers.
/// </summary>
public sealed class JwtSigner(SigningKeyRing ring) : ITokenSigner
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = null, DictionaryKeyPolicy = null };

    public async ValueTask<string> SignAsync(string tenantId, string algorithm, string typ, IReadOnlyDictionary<string, object?> claims, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentException.ThrowIfNullOrEmpty(typ);
        if (!SigningAlgorithms.IsSupported(algorithm))
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Tokens are signed RS256 or ES256.");
        }

        var key = await ring.ActiveAsync(tenantId, algorithm, ct).ConfigureAwait(false);
        return Sign(key, typ, claims);
    }

    internal static string Sign(ActiveSigningKey key, string typ, IReadOnlyDictionary<string, object?> claims)
    {
        var header = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(header))
        {
            writer.WriteStartObject();
            writer.WriteString("alg"u8, key.Algorithm);
            writer.WriteString("kid"u8, key.KeyId);
            writer.WriteString("typ"u8, typ);
            writer.WriteEndObject();
        }

        var payload = JsonSerializer.SerializeToUtf8Bytes(claims, Json);
        var headerLength = Base64Url.GetEncodedLength(header.WrittenCount);
        var payloadLength = Base64Url.GetEncodedLength(payload.Length);
        var signingInput = new byte[headerLength + 1 + payloadLength];
        Base64Url.EncodeToUtf8(header.WrittenSpan, signingInput);
        signingInput[headerLength] = (byte)'.';
        Base64Url.EncodeToUtf8(payload, signingInput.AsSpan(headerLength + 1));

        var signature = key.PrivateKey switch
        {
            RSA rsa => rsa.SignData(signingInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec => ec.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            _ => throw new InvalidOperationException($"Key {key.KeyId} is neither RSA nor ECDSA."),
        };

        return string.Create(signingInput.Length + 1 + Base64Url.GetEncodedLength(signature.Length), (signingInput, signature), static (span, state) =>
        {
            Encoding.ASCII.GetChars(state.signingInput, span);
            span[state.signingInput.Length] = '.';
            Base64Url.EncodeToChars(state.signature, span[(state.signingInput.Length + 1)..]);
        });
    }
}
