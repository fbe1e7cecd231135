using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KoderId.Application.Common;
using KoderId.Domain.Keys;
using KoderId.Projections.Keys;
using Microsoft.Extensions.Options;

namespace KoderId.Oidc.Keys;

/// <summary>Why a token was refused: a KID21xx code of <see cref="TokenErrors"/> and a description that never holds the token.</summary>
public sealed record TokenValidationFailure(string Code, string Description);

/// <summary>A token that verified: its header and claims (JSON objects).</summary>
public sealed record ValidatedToken(string KeyId, string Algorithm, string? Type, JsonElement Claims)
{
    public string? Claim(string name) =>
        Claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

public sealed record TokenValidationResult(ValidatedToken? Token, TokenValidationFailure? Failure)
{
    public bool Succeeded => Token is not null;

    public static TokenValidationResult Fail(string code, string description) => new(null, new TokenValidationFailure(code, description));
}

/// <summary>
/// Validates one of our own JWTs for a tenant: compact JWS only; <c>alg</c> RS256 or ES256 and the same as the
/// algorithm of the key named by <c>kid</c> (so <c>none</c>, HS256 — even keyed with our public key — and a key
/// used with another algorithm are refused before any cryptography); the key must be published by that tenant
/// now (another tenant's token names a key this tenant does not have); <c>iss</c> is the tenant's issuer;
/// <c>exp</c> is required and <c>exp</c>/<c>nbf</c> hold within the clock skew; optionally the <c>typ</c>.
/// </summary>
public sealed class JwtValidator(SigningKeyDirectory directory, IClock clock, IOptions<KeyOptions> options)
{
    /// <summary>Larger tokens are refused unread; ours are a few hundred bytes.</summary>
    public const int MaxTokenLength = 16 * 1024;

    private readonly ConcurrentDictionary<(string Tenant, string KeyId), AsymmetricAlgorithm?> _publicKeys = new();

    public ValueTask<TokenValidationResult> ValidateAsync(string tenantId, string issuer, string? token, string? expectedType = null, CancellationToken ct = default) =>
        ValidateAsync(tenantId, issuer, token, expectedType, checkExpiry: true, ct);

    /// <summary>
    /// As <see cref="ValidateAsync(string, string, string?, string?, CancellationToken)"/>; with <paramref name="checkExpiry"/>
    /// false a token past its <c>exp</c> still validates (the <c>id_token_hint</c> of RP-Initiated Logout §2 may
    /// have expired). <c>exp</c> must still be present and numeric, and the key must still be published.
    /// </summary>
    public async ValueTask<TokenValidationResult> ValidateAsync(string tenantId, string issuer, string? token, string? expectedType, bool checkExpiry, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return TokenValidationResult.Fail(TokenErrors.Malformed, "The token is empty or too long.");
        }

        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return TokenValidationResult.Fail(TokenErrors.Malformed, "The token is not a compact JWS (three dot-separated parts).");
        }

        if (Decode(parts[0]) is not { ValueKind: JsonValueKind.Object } header)
        {
            return TokenValidationResult.Fail(TokenErrors.Malformed, "The token header is not a base64url JSON object.");
        }

        var alg = Text(header, "alg");
        if (!SigningAlgorithms.IsSupported(alg))
        {
            return TokenValidationResult.Fail(TokenErrors.UnsupportedAlgorithm, "The token's alg is not RS256 or ES256.");
        }

        if (header.TryGetProperty("crit", out _))
        {
            return TokenValidationResult.Fail(TokenErrors.Malformed, "The token has critical header parameters this issuer does not use.");
        }

        if (Text(header, "kid") is not { Length: > 0 } kid)
        {
            return TokenValidationResult.Fail(TokenErrors.UnknownKey, "The token names no kid.");
        }

        var now = clock.UtcNow;
        var keys = await directory.GetAsync(tenantId, ct).ConfigureAwait(false);
        if (keys.FindPublished(kid, now) is not { } key)
        {
            return TokenValidationResult.Fail(TokenErrors.UnknownKey, "The token's kid is not a published key of this issuer.");
        }

        if (key.Algorithm != alg)
        {
            return TokenValidationResult.Fail(TokenErrors.UnsupportedAlgorithm, "The token's alg is not the algorithm of its key.");
        }

        if (!Verify(tenantId, key, parts))
        {
            return TokenValidationResult.Fail(TokenErrors.InvalidSignature, "The token's signature does not verify.");
        }

        var typ = Text(header, "typ");
        if (expectedType is not null && !TypeMatches(typ, expectedType))
        {
            return TokenValidationResult.Fail(TokenErrors.WrongType, $"The token's typ is not {expectedType}.");
        }

        if (Decode(parts[1]) is not { ValueKind: JsonValueKind.Object } claims)
        {
            return TokenValidationResult.Fail(TokenErrors.Malformed, "The token payload is not a base64url JSON object.");
        }

        if (!string.Equals(Text(claims, "iss"), issuer, StringComparison.Ordinal))
        {
            return TokenValidationResult.Fail(TokenErrors.WrongIssuer, "The token was not issued by this issuer.");
        }

        var skew = options.Value.ClockSkew;
        if (Seconds(claims, "exp") is not { } exp)
        {
            return TokenValidationResult.Fail(TokenErrors.Malformed, "The token has no numeric exp.");
        }

        if (checkExpiry && now - skew >= DateTimeOffset.FromUnixTimeSeconds(exp))
        {
            return TokenValidationResult.Fail(TokenErrors.Expired, "The token has expired.");
        }

        if (claims.TryGetProperty("nbf", out _))
        {
            if (Seconds(claims, "nbf") is not { } nbf)
            {
                return TokenValidationResult.Fail(TokenErrors.Malformed, "The token's nbf is not numeric.");
            }

            if (now + skew < DateTimeOffset.FromUnixTimeSeconds(nbf))
            {
                return TokenValidationResult.Fail(TokenErrors.NotYetValid, "The token is not valid yet.");
            }
        }

        return new TokenValidationResult(new ValidatedToken(kid, alg!, typ, claims), null);
    }

    private bool Verify(string tenantId, SigningKeyView key, string[] parts)
    {
        var publicKey = _publicKeys.GetOrAdd((tenantId, key.KeyId), _ => SigningKeyFactory.ImportPublic(key.Algorithm, key.PublicKey));
        if (publicKey is null || !TryDecode(parts[2], out var signature))
        {
            return false;
        }

        var signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        return publicKey switch
        {
            RSA rsa => rsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec => signature.Length == 64 && ec.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            _ => false,
        };
    }

    /// <summary>RFC 7515 §4.1.9: a typ without a slash is short for <c>application/{typ}</c>, compared case-insensitively.</summary>
    private static bool TypeMatches(string? typ, string expected)
    {
        static string Full(string value) => value.Contains('/', StringComparison.Ordinal) ? value : "application/" + value;
        return typ is not null && string.Equals(Full(typ), Full(expected), StringComparison.OrdinalIgnoreCase);
    }

    private static JsonElement? Decode(string part)
    {
        if (!TryDecode(part, out var bytes))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 32 });
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryDecode(string part, out byte[] bytes)
    {
        bytes = [];
        if (part.Length == 0 || !Base64Url.IsValid(part, out var length))
        {
            return false;
        }

        bytes = new byte[length];
        return Base64Url.TryDecodeFromChars(part, bytes, out _);
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Seconds(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number)
        {
            return null;
        }

        if (value.TryGetInt64(out var seconds))
        {
            return seconds is > -62135596800 and < 253402300800 ? seconds : null;
        }

        return value.TryGetDouble(out var d) && d is > -62135596800 and < 253402300800 ? (long)d : null;
    }
}
