using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Grants;
using KoderId.Domain.Sessions;
using KoderId.Domain.Users;

namespace KoderId.Application.Grants;

/// <summary>What the grant handlers share: the session a grant hangs on, and starting a refresh family.</summary>
internal static class GrantWrites
{
    /// <summary>The session, active at <paramref name="now"/>; KID1233 when it was revoked or expired, KID1230 when unknown.</summary>
    public static async Task<SessionState> RequireActiveSessionAsync(AggregateStore aggregates, string tenantId, string sessionId, DateTimeOffset now, CancellationToken ct)
    {
        var session = await LoadSessionAsync(aggregates, tenantId, sessionId, ct).ConfigureAwait(false);
        return session.IsActiveAt(now) ? session : throw new DomainException(DomainErrors.SessionRevoked, "The session has ended.");
    }

    /// <summary>
    /// The session's user, when it may still use a grant: KID1302 when disabled, deleted or erased. ADR 0008: the
    /// status is checked on every use, so a session whose revocation a crash left unrecorded is refused all the same.
    /// </summary>
    public static async Task<UserState> RequireUserWhoCanSignInAsync(AggregateStore aggregates, string tenantId, string userId, CancellationToken ct)
    {
        var user = User.IsValidUserId(userId)
            ? (await aggregates.LoadAsync(Aggregates.User, tenantId, StreamNames.User(tenantId, userId), ct).ConfigureAwait(false)).State
            : UserState.Initial;
        return User.CanSignIn(user) ? user : throw new DomainException(DomainErrors.SessionUserInactive, "The user can no longer sign in.");
    }

    public static async Task<SessionState> LoadSessionAsync(AggregateStore aggregates, string tenantId, string sessionId, CancellationToken ct)
    {
        if (!GrantSecrets.IsId(sessionId))
        {
            throw new DomainException(DomainErrors.SessionNotFound, "The session does not exist.");
        }

        var session = (await aggregates.LoadAsync(Aggregates.Session, tenantId, StreamNames.Session(tenantId, sessionId), ct).ConfigureAwait(false)).State;
        return session.Started ? session : throw new DomainException(DomainErrors.SessionNotFound, "The session does not exist.");
    }

    /// <summary>Starts a family on a new stream (no-stream expected) and answers its generation-1 token.</summary>
    public static async Task<StartedRefreshFamily> StartFamilyAsync(
        AggregateStore aggregates, string tenantId, string familyId, SessionState session, string clientId, string scope, TimeSpan? lifetime, DateTimeOffset now, CancellationToken ct)
    {
        var secret = GrantSecrets.NewSecret();
        var expiresAt = now + (lifetime is { } l && l > TimeSpan.Zero ? l : RefreshFamily.DefaultLifetime);
        var decided = await aggregates.DecideAsync(
            Aggregates.RefreshFamily,
            tenantId,
            StreamNames.RefreshFamily(tenantId, familyId),
            s => RefreshFamily.Start(s, familyId, session.SessionId, clientId, session.UserId, scope, session.AuthTime, session.AuthMethods, session.Acr,
                GrantSecrets.Hash(secret), expiresAt, now),
            ct).ConfigureAwait(false);
        return new StartedRefreshFamily(familyId, RefreshTokenFormat.Format(familyId, secret), expiresAt, decided.Version);
    }

    public static Task<Decided<RefreshFamilyState>> RevokeFamilyAsync(AggregateStore aggregates, string tenantId, string familyId, string reason, CancellationToken ct) =>
        aggregates.DecideAsync(Aggregates.RefreshFamily, tenantId, StreamNames.RefreshFamily(tenantId, familyId), s => RefreshFamily.Revoke(s, reason), ct);
}
