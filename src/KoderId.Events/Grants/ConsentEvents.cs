using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Grants;

/// <summary>
/// A user approved a third-party client's access on the consent page. Appended to
/// <c>consent-{tenant}-{user}-{client}</c>; <see cref="Scopes"/> is the whole set approved so far, so the
/// latest event is the consent.
/// </summary>
[EventType("grant.consent-given.v1")]
public sealed record ConsentGiven(string ClientId, [property: DataSubject] string UserId, IReadOnlyList<string> Scopes)
{
    public bool Equals(ConsentGiven? other) =>
        other is not null && ClientId == other.ClientId && UserId == other.UserId && Scopes.SequenceEqual(other.Scopes);

    public override int GetHashCode() => HashCode.Combine(ClientId, UserId);
}
