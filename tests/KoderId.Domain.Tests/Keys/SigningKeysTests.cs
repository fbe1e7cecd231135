using KoderId.Domain.Keys;
using KoderId.Events.Keys;

namespace KoderId.Domain.Tests.Keys;

public sealed class SigningKeysTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly KeyRotationPolicy Policy = new(TimeSpan.FromHours(24), TimeSpan.FromHours(1), TimeSpan.FromMinutes(61));
    private static readonly PublicJsonWebKey Jwk = new("EC", "P-256", "x", "y");

    [Fact]
    public void a_tenant_without_keys_gets_one_per_algorithm_that_signs_at_once()
    {
        var plans = SigningKeys.Plan(SigningKeysState.Initial, SigningAlgorithms.All, Policy, T0);

        Assert.Equal([("RS256", T0, (string?)null), ("ES256", T0, null)], plans.Select(p => (p.Algorithm, p.ActivatesAt, p.RetiredKeyId)));
    }

    [Fact]
    public void a_key_is_replaced_by_one_published_a_propagation_delay_before_it_signs()
    {
        var state = Given(new KeyRotated("a", "ES256", Jwk, "a", T0));

        Assert.Empty(SigningKeys.Plan(state, ["ES256"], Policy, T0.AddHours(22)));
        var plan = Assert.Single(SigningKeys.Plan(state, ["ES256"], Policy, T0.AddHours(23)));

        Assert.Equal(new KeyRotationPlan("ES256", T0.AddHours(24), "a", T0.AddHours(25).AddMinutes(1)), plan);
    }

    [Fact]
    public void a_successor_waiting_to_sign_is_not_rotated_again()
    {
        var state = Given(
            new KeyRotated("a", "ES256", Jwk, "a", T0),
            new KeyRotated("b", "ES256", Jwk, "b", T0.AddHours(24), "a", T0.AddHours(25)));

        Assert.Empty(SigningKeys.Plan(state, ["ES256"], Policy, T0.AddHours(23).AddMinutes(30)));
        Assert.Equal(T0.AddHours(24), state.Keys.Single(k => k.KeyId == "a").RetiredAt);
        Assert.Equal(T0.AddHours(25), state.Keys.Single(k => k.KeyId == "a").ExpiresAt);
    }

    [Fact]
    public void only_rs256_and_es256_keys_are_made()
    {
        var error = Assert.Throws<DomainException>(() => SigningKeys.Plan(SigningKeysState.Initial, ["HS256"], Policy, T0));

        Assert.Equal(DomainErrors.SigningKeyUnsupportedAlgorithm, error.Code);
    }

    private static SigningKeysState Given(params KeyRotated[] events) => events.Aggregate(SigningKeysState.Initial, (s, e) => SigningKeys.Evolve(s, e));
}
