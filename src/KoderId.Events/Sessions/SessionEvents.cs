using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Sessions;

/// <param name="AuthMethods">RFC 8176 <c>amr</c> values of the authentication that started the session.</param>
/// <param name="SecretHash">base64url (no padding) SHA-256 of the SSO cookie's 256-bit secret; the secret itself is never stored.</param>
/// <param name="Acr">The authentication context class reference reached at sign-in, when one was asserted.</param>
/// <param name="AuthTime">When the user authenticated (OIDC <c>auth_time</c>); the event's timestamp when absent.</param>
[EventType("session.started.v1")]
public sealed record SessionStarted(
    string SessionId,
    [property: DataSubject] string UserId,
    IReadOnlyList<string> AuthMethods,
    DateTimeOffset ExpiresAt,
    [property: PersonalData] string? ClientIp = null,
    [property: PersonalData] string? UserAgent = null,
    string? SecretHash = null,
    string? Acr = null,
    DateTimeOffset? AuthTime = null)
{
    public bool Equals(SessionStarted? other) =>
        other is not null && SessionId == other.SessionId && UserId == other.UserId && AuthMethods.SequenceEqual(other.AuthMethods)
        && ExpiresAt == other.ExpiresAt && ClientIp == other.ClientIp && UserAgent == other.UserAgent && SecretHash == other.SecretHash
        && Acr == other.Acr && AuthTime == other.AuthTime;

    public override int GetHashCode() => HashCode.Combine(SessionId, UserId, ExpiresAt, SecretHash, AuthTime);
}

/// <param name="Reason">Why: <c>logout</c>, <c>admin</c>, <c>user-disabled</c>, <c>password-changed</c>, <c>security</c>, <c>reuse-detected</c>, <c>user-deleted</c>, <c>user-erased</c> (the last two added without a new version: ADR 0008).</param>
[EventType("session.revoked.v1")]
public sealed record SessionRevoked(string SessionId, [property: DataSubject] string UserId, string Reason);
