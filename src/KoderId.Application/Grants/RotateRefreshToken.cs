using System.Collections.Immutable;
using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Grants;
using KoderId.Domain.Users;
using KoderId.Events.Grants;
using Mediator;

namespace KoderId.Application.Grants;

/// <summary>The token endpoint's <c>refresh_token</c> grant, after client authentication.</summary>
public sealed record RotateRefreshToken(string TenantId, string RefreshToken, string ClientId) : ICommand<RotatedRefreshToken>;

/// <summary><paramref name="RefreshToken"/> is the new generation: shown this once, never stored or logged.</summary>
public sealed record RotatedRefreshToken(
    string FamilyId,
    string RefreshToken,
    int Generation,
    string ClientId,
    string UserId,
    string SessionId,
    string Scope,
    DateTimeOffset AuthTime,
    ImmutableArray<string> AuthMethods,
    string? Acr,
    DateTimeOffset ExpiresAt);

/// <summary>
/// ADR 0004: the rotation is appended at the version read, once (no reload and retry). A parallel refresh of
/// the same token that loses the append is a race, answered KID1247 without revoking anything; a rotated-out
/// generation presented after its rotation committed is a replay: the security event and the family's
/// revocation are appended, then KID1246. A revoked or ended session (KID1233), a user who can no longer sign in
/// (KID1302) or is locked out (KID1301), a revoked (KID1244) or expired
/// (KID1243) family and another client's token (KID1245) are refused without an event; so is an unknown,
/// malformed or other tenant's token (KID1242).
/// </summary>
public sealed class RotateRefreshTokenHandler(AggregateStore aggregates, IClock clock) : ICommandHandler<RotateRefreshToken, RotatedRefreshToken>
{
    public async ValueTask<RotatedRefreshToken> Handle(RotateRefreshToken command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireActiveTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        if (!RefreshTokenFormat.TryParse(command.RefreshToken, out var familyId, out var secret))
        {
            throw new DomainException(DomainErrors.RefreshNotFound, "The refresh token is not valid.");
        }

        var now = clock.UtcNow;
        var stream = StreamNames.RefreshFamily(command.TenantId, familyId);
        // The family names its session once and for good: read it first so a revoked session's family is refused
        // before anything is appended. Only revocation counts: a family may outlive the SSO cookie's lifetime.
        var current = (await aggregates.LoadAsync(Aggregates.RefreshFamily, command.TenantId, stream, cancellationToken).ConfigureAwait(false)).State;
        if (!current.Started)
        {
            throw new DomainException(DomainErrors.RefreshNotFound, "The refresh token is not valid.");
        }

        if ((await GrantWrites.LoadSessionAsync(aggregates, command.TenantId, current.SessionId, cancellationToken).ConfigureAwait(false)).Revoked)
        {
            throw new DomainException(DomainErrors.SessionRevoked, "The session has ended.");
        }

        // ADR 0008: a user who can no longer sign in is refused even when the session's revocation was not recorded
        // (a crash between the status event and the revocation). ADR 0006: a locked-out user's token is refused before
        // it rotates, so it works again once the lock ends. One read of the user stream answers both.
        var user = await GrantWrites.RequireUserWhoCanSignInAsync(aggregates, command.TenantId, current.UserId, cancellationToken).ConfigureAwait(false);
        if (User.IsLockedAt(user, now))
        {
            throw new DomainException(DomainErrors.LockoutUserLocked, "The user is locked out.");
        }

        var newSecret = GrantSecrets.NewSecret();
        var presentedHash = GrantSecrets.Hash(secret);
        var newHash = GrantSecrets.Hash(newSecret);
        var decided = await aggregates.TryDecideOnceAsync(
            Aggregates.RefreshFamily,
            command.TenantId,
            stream,
            s => RefreshFamily.Rotate(s, presentedHash, command.ClientId, newHash, now),
            cancellationToken).ConfigureAwait(false)
            ?? throw new DomainException(DomainErrors.RefreshConcurrentRotation, "The refresh token was used by a concurrent request.");

        if (decided.Events.OfType<RefreshTokenReuseDetected>().Any())
        {
            throw new DomainException(DomainErrors.RefreshReused, "The refresh token was already used; its family is revoked.");
        }

        var family = decided.State;
        return new RotatedRefreshToken(
            family.FamilyId, RefreshTokenFormat.Format(familyId, newSecret), family.Generation, family.ClientId, family.UserId, family.SessionId,
            family.Scope, family.AuthTime, family.AuthMethods, family.Acr, family.ExpiresAt);
    }
}
