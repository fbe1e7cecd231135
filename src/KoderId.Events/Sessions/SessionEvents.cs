using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Sessions;

/// <param name="AuthMethods">RFC 8176 <c>amr</c> values of the authentication that started the session.</param>
[EventType("session.started.v1")]
public sealed record SessionStarted(
    string SessionId,
    [property: DataSubject] string UserId,
    IReadOnlyList<string> AuthMethods,
    DateTimeOffset ExpiresAt,
    [property: PersonalData] string? ClientIp = null,
    [property: PersonalData] string? UserAgent = null);

/// <param name="Reason">Why: <c>logout</c>, <c>admin</c>, <c>user-disabled</c>, <c>password-changed</c>, <c>security</c>.</param>
[EventType("session.revoked.v1")]
public sealed record SessionRevoked(string SessionId, [property: DataSubject] string UserId, string Reason);
