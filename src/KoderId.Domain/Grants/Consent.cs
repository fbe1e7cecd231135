using System.Collections.Immutable;
using KoderId.Events.Grants;

namespace KoderId.Domain.Grants;

public sealed record ConsentState(ImmutableSortedSet<string> Scopes)
{
    public static readonly ConsentState Initial = new(ImmutableSortedSet.Create<string>(StringComparer.Ordinal));

    public bool Covers(IEnumerable<string> scopes) => scopes.All(Scopes.Contains);
}

/// <summary>A user's approval of a third-party client (<c>consent-{tenant}-{user}-{client}</c>): scopes only ever add up.</summary>
public static class Consent
{
    public static ConsentState Evolve(ConsentState state, object @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        return @event is ConsentGiven e ? new ConsentState(ImmutableSortedSet.CreateRange(StringComparer.Ordinal, e.Scopes)) : state;
    }

    /// <summary>Approves <paramref name="scopes"/>; nothing when they were all approved already.</summary>
    public static IReadOnlyList<object> Give(ConsentState state, string clientId, string userId, IReadOnlyCollection<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(scopes);
        if (scopes.Count == 0 || state.Covers(scopes))
        {
            return [];
        }

        return [new ConsentGiven(clientId, userId, [.. state.Scopes.Union(scopes)])];
    }
}
