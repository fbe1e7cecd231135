using System.Collections.Immutable;
using KoderId.Events.Grants;

namespace KoderId.Domain.Grants;

/// <summary>Why a family ended: the <c>reason</c> of <c>grant.refresh-family-revoked.v1</c>.</summary>
public static class RefreshRevokeReasons
{
    public const string Revoked = "revoked";
    public const string Logout = "logout";
    public const string ReuseDetected = "reuse-detected";
    public const string CodeReuse = "code-reuse";
    public const string SessionRevoked = "session-revoked";
    public const string Security = "security";

    public static readonly ImmutableArray<string> All = [Revoked, Logout, ReuseDetected, CodeReuse, SessionRevoked, Security];

    public static bool IsKnown(string? reason) => reason is not null && All.Contains(reason, StringComparer.Ordinal);
}

/// <param name="RotatedOut">The hashes of every generation before the current one: presenting one is a replay.</param>
public sealed record RefreshFamilyState(
    string FamilyId,
    string SessionId,
    string ClientId,
    string UserId,
    string Scope,
    DateTimeOffset AuthTime,
    ImmutableArray<string> AuthMethods,
    string? Acr,
    DateTimeOffset ExpiresAt,
    int Generation,
    string CurrentHash,
    ImmutableArray<string> RotatedOut,
    bool Started,
    bool Revoked,
    string? RevokeReason)
{
    public static readonly RefreshFamilyState Initial = new("", "", "", "", "", default, [], null, default, 0, "", [], false, false, null);

    public bool IsActiveAt(DateTimeOffset now) => Started && !Revoked && now < ExpiresAt;
}

/// <summary>
/// Decisions on a refresh-token family (ADR 0004, <c>refresh-{tenant}-{familyId}</c>): one family per login,
/// rotated on every use. The caller appends a rotation with the version it read, so of two parallel refreshes
/// of one token exactly one rotates (the loser is a race, not a replay, and revokes nothing); a rotated-out
/// generation presented after its rotation committed is a replay: <see cref="Rotate"/> then answers the
/// security event and the revocation, which the caller appends before refusing.
/// </summary>
public static class RefreshFamily
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(30);

    public static RefreshFamilyState Evolve(RefreshFamilyState state, object @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        return @event switch
        {
            RefreshFamilyStarted e => state with
            {
                FamilyId = e.FamilyId, SessionId = e.SessionId, ClientId = e.ClientId, UserId = e.UserId, Scope = e.Scope,
                AuthTime = e.AuthTime, AuthMethods = [.. e.AuthMethods], Acr = e.Acr, ExpiresAt = e.ExpiresAt,
                Generation = 1, CurrentHash = e.TokenHash, Started = true,
            },
            RefreshTokenRotated e => state with { Generation = e.Generation, CurrentHash = e.TokenHash, RotatedOut = state.RotatedOut.Add(state.CurrentHash) },
            RefreshFamilyRevoked e => state with { Revoked = true, RevokeReason = e.Reason },
            _ => state,
        };
    }

    public static IReadOnlyList<object> Start(
        RefreshFamilyState state,
        string familyId,
        string sessionId,
        string clientId,
        string userId,
        string scope,
        DateTimeOffset authTime,
        IReadOnlyList<string>? authMethods,
        string? acr,
        string tokenHash,
        DateTimeOffset expiresAt,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Started || state.Revoked)
        {
            throw new DomainException(DomainErrors.RefreshInvalidRequest, "This refresh family already exists.");
        }

        if (string.IsNullOrWhiteSpace(sessionId) || string.IsNullOrWhiteSpace(clientId) || !Names.IsValidId(userId)
            || scope is null || authMethods is null || authMethods.Count == 0 || string.IsNullOrEmpty(tokenHash))
        {
            throw new DomainException(DomainErrors.RefreshInvalidRequest, "A refresh family needs a session, a client, a user, a scope, its amr and a token.");
        }

        if (expiresAt <= now || authTime > now)
        {
            throw new DomainException(DomainErrors.RefreshInvalidRequest, "A refresh family expires after now and its user authenticated before now.");
        }

        return [new RefreshFamilyStarted(familyId, sessionId, clientId, userId, scope, authTime, [.. authMethods], tokenHash, expiresAt, string.IsNullOrEmpty(acr) ? null : acr)];
    }

    /// <summary>
    /// The presented token's hash against the family. The current generation rotates to
    /// <paramref name="newTokenHash"/>; a rotated-out one answers <c>reuse-detected</c> plus the revocation (the
    /// caller appends them, then refuses with KID1246); anything else is refused without an event.
    /// </summary>
    public static IReadOnlyList<object> Rotate(RefreshFamilyState state, string presentedHash, string clientId, string newTokenHash, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Started)
        {
            throw new DomainException(DomainErrors.RefreshNotFound, "The refresh token is not valid.");
        }

        if (!string.Equals(clientId, state.ClientId, StringComparison.Ordinal))
        {
            throw new DomainException(DomainErrors.RefreshClientMismatch, "The refresh token was issued to another client.");
        }

        if (state.Revoked)
        {
            throw new DomainException(DomainErrors.RefreshRevoked, "The refresh token was revoked.");
        }

        if (now >= state.ExpiresAt)
        {
            throw new DomainException(DomainErrors.RefreshExpired, "The refresh token has expired.");
        }

        if (Digests.Equal(presentedHash, state.CurrentHash))
        {
            return [new RefreshTokenRotated(state.FamilyId, state.SessionId, state.UserId, state.Generation + 1, newTokenHash)];
        }

        // Every older hash is compared (no early exit), so the time taken does not say which generation matched.
        var presentedGeneration = 0;
        for (var i = 0; i < state.RotatedOut.Length; i++)
        {
            if (Digests.Equal(presentedHash, state.RotatedOut[i]))
            {
                presentedGeneration = i + 1;
            }
        }

        if (presentedGeneration == 0)
        {
            throw new DomainException(DomainErrors.RefreshNotFound, "The refresh token is not valid.");
        }

        return
        [
            new RefreshTokenReuseDetected(state.FamilyId, state.SessionId, state.UserId, presentedGeneration, state.Generation),
            new RefreshFamilyRevoked(state.FamilyId, state.SessionId, state.UserId, RefreshRevokeReasons.ReuseDetected),
        ];
    }

    /// <summary>
    /// RFC 7009 by the token's holder: the presented secret must match a generation of the family (current or
    /// rotated out), so a family id alone revokes nothing (KID1242), and the client must be the family's (KID1245).
    /// </summary>
    public static IReadOnlyList<object> RevokeToken(RefreshFamilyState state, string presentedHash, string clientId)
    {
        ArgumentNullException.ThrowIfNull(state);
        var known = Digests.Equal(presentedHash, state.CurrentHash);
        foreach (var hash in state.RotatedOut)
        {
            known |= Digests.Equal(presentedHash, hash);
        }

        if (!state.Started || !known)
        {
            throw new DomainException(DomainErrors.RefreshNotFound, "The refresh token is not valid.");
        }

        if (!string.Equals(clientId, state.ClientId, StringComparison.Ordinal))
        {
            throw new DomainException(DomainErrors.RefreshClientMismatch, "The refresh token was issued to another client.");
        }

        return Revoke(state, RefreshRevokeReasons.Revoked);
    }

    /// <summary>Revoking twice changes nothing (RFC 7009 §2.2: revoking an invalid token is a success too).</summary>
    public static IReadOnlyList<object> Revoke(RefreshFamilyState state, string reason)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!RefreshRevokeReasons.IsKnown(reason))
        {
            throw new DomainException(DomainErrors.RefreshInvalidRequest, $"The reason is one of: {string.Join(", ", RefreshRevokeReasons.All)}.");
        }

        if (!state.Started)
        {
            throw new DomainException(DomainErrors.RefreshNotFound, "The refresh token is not valid.");
        }

        return state.Revoked ? [] : [new RefreshFamilyRevoked(state.FamilyId, state.SessionId, state.UserId, reason)];
    }
}
