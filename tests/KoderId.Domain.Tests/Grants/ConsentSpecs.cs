using KoderId.Domain.Grants;
using KoderId.Events.Grants;

namespace KoderId.Domain.Tests.Grants;

public sealed class ConsentSpecs
{
    private static Spec<ConsentState> Consent() => new(ConsentState.Initial, Domain.Grants.Consent.Evolve);

    [Fact]
    public void a_first_consent_records_the_approved_scopes_sorted() =>
        Consent().When(s => Domain.Grants.Consent.Give(s, "shop", "u1", ["profile", "openid"])).Then(new ConsentGiven("shop", "u1", ["openid", "profile"]));

    [Fact]
    public void a_wider_request_adds_to_what_was_approved() =>
        Consent().Given(new ConsentGiven("shop", "u1", ["openid", "profile"]))
            .When(s => Domain.Grants.Consent.Give(s, "shop", "u1", ["openid", "email"]))
            .Then(new ConsentGiven("shop", "u1", ["email", "openid", "profile"]));

    [Fact]
    public void scopes_already_approved_append_nothing()
    {
        var state = Domain.Grants.Consent.Evolve(ConsentState.Initial, new ConsentGiven("shop", "u1", ["email", "openid"]));

        Assert.Empty(Domain.Grants.Consent.Give(state, "shop", "u1", ["openid"]));
        Assert.True(state.Covers(["email", "openid"]));
        Assert.False(state.Covers(["openid", "phone"]));
    }
}
