using KoderId.Domain;

namespace KoderId.Application.Passkeys;

/// <summary>
/// The WebAuthn relying party a tenant is: its origin (<c>https://acme.koderid.example</c>, from the tenant's
/// issuer, never from a request header) and its RP ID, the origin's host. A passkey made for one tenant's host
/// is useless at another's: the authenticator scopes it to the RP ID and the server checks its hash.
/// </summary>
public sealed record RelyingParty(string Origin, string Id, string Name)
{
    public static RelyingParty ForOrigin(string origin, string name)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.AbsolutePath is not ("/" or ""))
        {
            throw new DomainException(DomainErrors.PasskeyInvalidRequest, "The tenant origin is not an http(s) origin.");
        }

        return new RelyingParty(uri.GetLeftPart(UriPartial.Authority), uri.IdnHost, string.IsNullOrWhiteSpace(name) ? uri.IdnHost : name);
    }
}

/// <summary>Transient-store kinds and lifetimes of the ceremonies (ADR 0006): single use, five minutes.</summary>
public static class PasskeyChallenges
{
    public const string RegistrationKind = "webauthn-reg";
    public const string AuthenticationKind = "webauthn-auth";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    public const int TimeoutMilliseconds = 300_000;

    /// <summary>The store key of a challenge: its SHA-256, so the table never holds a live challenge in clear.</summary>
    public static string Key(ReadOnlySpan<byte> challenge) => WebAuthn.Base64UrlBytes.Encode(System.Security.Cryptography.SHA256.HashData(challenge));

    /// <summary>The WebAuthn user handle of a Koder ID user: the UTF-8 bytes of the opaque user id (no personal data, at most 64 bytes).</summary>
    public static byte[] UserHandle(string userId) => System.Text.Encoding.UTF8.GetBytes(userId);
}

/// <summary>Port the read side answers: which user of a tenant owns a credential id (for a username-less sign-in).</summary>
public interface IPasskeyOwners
{
    /// <summary>The owner within <paramref name="tenantId"/> only; null for an unknown id or another tenant's credential.</summary>
    Task<string?> FindOwnerAsync(string tenantId, string credentialId, CancellationToken ct = default);
}
