using System.Collections.Immutable;
using KoderId.Events.Sessions;

namespace KoderId.Domain.Sessions;

/// <summary>Why a session ended: the <c>reason</c> of <c>session.revoked.v1</c>.</summary>
public static class SessionRevokeReasons
{
    public const string Logout = "logout";
    public const string Admin = "admin";
    public const string UserDisabled = "user-disabled";
    public const string UserDeleted = "user-deleted";
    public const string UserErased = "user-erased";
    public const string PasswordChanged = "password-changed";
    public const string Security = "security";
    public const string ReuseDetected = "reuse-detected";

    // Appended, never reordered or removed: the schema's enum (eventschemas/sessions/session.revoked.v1) only grows, so every stored reason stays valid.
    public static readonly ImmutableArray<string> All = [Logout, Admin, UserDisabled, PasswordChanged, Security, ReuseDetected, UserDeleted, UserErased];

    public static bool IsKnown(string? reason) => reason is not null && All.Contains(reason, StringComparer.Ordinal);
}

public sealed record SessionState(
    string SessionId,
    string UserId,
    string? SecretHash,
    ImmutableArray<string> AuthMethods,
    string? Acr,
    DateTimeOffset AuthTime,
    DateTimeOffset ExpiresAt,
    bool Started,
    bool Revoked,
    string? RevokeReason)
{
    public static readonly SessionState Initial = new("", "", null, [], null, default, default, false, false, null);

    /// <summary>Started, not revoked and not past its expiry.</summary>
    public bool IsActiveAt(DateTimeOffset now) => Started && !Revoked && now < ExpiresAt;
}

/// <summary>
/// Decisions on the SSO session of the login page (ADR 0004, <c>session-{tenant}-{sid}</c>). The cookie secret
/// is made and hashed by the caller (randomness is I/O): the decision only sees its digest. Revoking a revoked
/// session changes nothing, so "sign out everywhere" and a retried logout are safe to repeat.
/// </summary>
public static class Session
{
    public static SessionState Evolve(SessionState state, object @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        return @event switch
        {
            SessionStarted e => state with
            {
                SessionId = e.SessionId, UserId = e.UserId, SecretHash = e.SecretHash, AuthMethods = [.. e.AuthMethods], Acr = e.Acr,
                AuthTime = e.AuthTime ?? default, ExpiresAt = e.ExpiresAt, Started = true,
            },
            SessionRevoked e => state with { Revoked = true, RevokeReason = e.Reason },
            _ => state,
        };
    }

    /// <param name="authTime">When the user authenticated; not after <paramref name="now"/>.</param>
    /// <param name="expiresAt">After <paramref name="now"/>: a session cannot start already expired.</param>
    public static IReadOnlyList<object> Start(
        SessionState state,
        string sessionId,
        string userId,
        IReadOnlyList<string>? authMethods,
        string? acr,
        DateTimeOffset authTime,
        DateTimeOffset expiresAt,
        string secretHash,
        DateTimeOffset now,
        string? clientIp = null,
        string? userAgent = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Started)
        {
            throw new DomainException(DomainErrors.SessionInvalidRequest, "A session with this id already exists.");
        }

        if (!Names.IsValidId(userId))
        {
            throw new DomainException(DomainErrors.SessionInvalidRequest, "A session needs a valid user id.");
        }

        if (authMethods is null || authMethods.Count == 0 || authMethods.Any(string.IsNullOrWhiteSpace) || authMethods.Distinct(StringComparer.Ordinal).Count() != authMethods.Count)
        {
            throw new DomainException(DomainErrors.SessionInvalidRequest, "A session needs one or more distinct authentication methods (amr).");
        }

        if (expiresAt <= now || authTime > now)
        {
            throw new DomainException(DomainErrors.SessionInvalidRequest, "A session expires after now and its user authenticated before now.");
        }

        return [new SessionStarted(sessionId, userId, [.. authMethods], expiresAt, clientIp, userAgent, secretHash, string.IsNullOrEmpty(acr) ? null : acr, authTime)];
    }

    public static IReadOnlyList<object> Revoke(SessionState state, string reason)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!SessionRevokeReasons.IsKnown(reason))
        {
            throw new DomainException(DomainErrors.SessionInvalidReason, $"The reason is one of: {string.Join(", ", SessionRevokeReasons.All)}.");
        }

        if (!state.Started)
        {
            throw new DomainException(DomainErrors.SessionNotFound, "The session does not exist.");
        }

        return state.Revoked ? [] : [new SessionRevoked(state.SessionId, state.UserId, reason)];
    }
}
