namespace KoderId.Domain.Tests;

/// <summary>Given(events) / When(decision) / Then(events or error code) over one aggregate's Evolve.</summary>
internal sealed class Spec<TState>(TState initial, Func<TState, object, TState> evolve)
{
    private TState _state = initial;

    public TState State => _state;

    public Spec<TState> Given(params object[] events)
    {
        foreach (var e in events)
        {
            _state = evolve(_state, e);
        }

        return this;
    }

    public Outcome When(Func<TState, IReadOnlyList<object>> decision)
    {
        try
        {
            var events = decision(_state);
            return new Outcome(events, null, events.Aggregate(_state, evolve));
        }
        catch (DomainException ex)
        {
            return new Outcome([], ex, _state);
        }
    }

    internal sealed record Outcome(IReadOnlyList<object> Events, DomainException? Error, TState After)
    {
        public Outcome Then(params object[] expected)
        {
            Assert.Null(Error);
            Assert.Equal(expected, Events);
            return this;
        }

        public Outcome ThenNothing() => Then();

        public Outcome ThenFails(string code)
        {
            Assert.True(Error is not null, $"expected {code}, got events: {string.Join(", ", Events)}");
            Assert.Equal(code, Error!.Code);
            return this;
        }
    }
}
