using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Users;
using KoderId.EventSourcing.Storage;

namespace KoderId.Application.Email;

/// <summary>What a link token carries, sealed by <see cref="IEmailLinkProtector"/>. The address is bound by its hash only.</summary>
public sealed record EmailLink(
    string Kind,
    string TenantId,
    string UserId,
    string EmailHash,
    string Nonce,
    DateTimeOffset ExpiresAt,
    string? PasswordFingerprint = null);

/// <summary>
/// Signed, single-use, expiring links (ADR 0006): the token seals the kind, tenant, user, a hash of the address
/// and a nonce; the nonce lives in <see cref="ITransientStore"/> until the link is used (consumed then) or expires.
/// A forged, altered, expired, replayed or other-kind token is the same KID1371.
/// </summary>
public sealed class EmailLinks(IEmailLinkProtector protector, ITransientStore transient, IClock clock)
{
    public const string VerifyKind = "email-verify";
    public const string ResetKind = "password-reset";
    public const int MaxTokenLength = 2048;

    public static readonly TimeSpan VerifyLifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan ResetLifetime = TimeSpan.FromMinutes(30);

    public async Task<string> IssueAsync(string kind, string tenantId, string userId, string email, TimeSpan lifetime, string? passwordFingerprint, CancellationToken ct)
    {
        var nonce = Base64Url(RandomNumberGenerator.GetBytes(18));
        var link = new EmailLink(kind, tenantId, userId, EmailHash(email), nonce, clock.UtcNow.Add(lifetime), passwordFingerprint);
        if (!await transient.TryAddAsync(tenantId, kind, nonce, [], link.ExpiresAt, ct).ConfigureAwait(false))
        {
            throw new InvalidOperationException("A fresh 144-bit nonce collided.");
        }

        return protector.Protect(JsonSerializer.SerializeToUtf8Bytes(link));
    }

    /// <summary>A token sealed for nobody: the same work as <see cref="IssueAsync"/> without storing a nonce (timing parity for unknown users).</summary>
    public string Decoy(string kind) =>
        protector.Protect(JsonSerializer.SerializeToUtf8Bytes(new EmailLink(kind, "", "", "", Base64Url(RandomNumberGenerator.GetBytes(18)), clock.UtcNow)));

    /// <summary>The link the token seals, of <paramref name="kind"/>, for <paramref name="tenantId"/> and not expired; KID1371 otherwise. Does not consume it.</summary>
    public EmailLink Read(string kind, string tenantId, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            throw Invalid();
        }

        var payload = protector.Unprotect(token) ?? throw Invalid();
        EmailLink? link;
        try
        {
            link = JsonSerializer.Deserialize<EmailLink>(payload);
        }
        catch (JsonException)
        {
            throw Invalid();
        }

        if (link is null || !string.Equals(link.Kind, kind, StringComparison.Ordinal) || link.ExpiresAt <= clock.UtcNow
            || !string.Equals(link.TenantId, tenantId, StringComparison.Ordinal)
            || string.IsNullOrEmpty(link.TenantId) || string.IsNullOrEmpty(link.UserId) || string.IsNullOrEmpty(link.Nonce))
        {
            throw Invalid();
        }

        return link;
    }

    /// <summary>Whether the link can still be used (its nonce is live): the pages check it before showing a form.</summary>
    public async Task<bool> IsUnusedAsync(EmailLink link, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(link);
        return await transient.GetAsync(link.TenantId, link.Kind, link.Nonce, ct).ConfigureAwait(false) is not null;
    }

    /// <summary>Uses the link up: of two concurrent uses exactly one succeeds; a replay is KID1371.</summary>
    public async Task ConsumeAsync(EmailLink link, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(link);
        var entry = await transient.GetAsync(link.TenantId, link.Kind, link.Nonce, ct).ConfigureAwait(false);
        if (entry is null || !await transient.TryRemoveAsync(link.TenantId, link.Kind, link.Nonce, entry.Version, ct).ConfigureAwait(false))
        {
            throw Invalid();
        }
    }

    public static string EmailHash(string email) => Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(User.EmailKey(email))));

    /// <summary>Which password a reset link was issued against: any later password set makes the link stale.</summary>
    public static string PasswordFingerprint(string? phc) =>
        phc is null ? "none" : Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(phc)));

    public static bool SameHash(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    public static DomainException Invalid() => new(DomainErrors.EmailLinkInvalid, "The link is not valid, was already used or has expired.");

    internal static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
