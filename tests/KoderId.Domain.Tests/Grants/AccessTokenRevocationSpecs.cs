using KoderId.Domain.Grants;
using KoderId.Events.Grants;

namespace KoderId.Domain.Tests.Grants;

public sealed class AccessTokenRevocationSpecs
{
    private const string Jti = "q1Xo3vYd0Jt6m1bR9k2pAw";
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static Spec<AccessTokenRevocationState> Token() => new(AccessTokenRevocationState.Initial, AccessTokenRevocation.Evolve);

    [Fact]
    public void a_live_token_is_revoked_until_its_exp() =>
        Token().When(s => AccessTokenRevocation.Revoke(s, Jti, "web", Now.AddMinutes(15), "sid", Now))
            .Then(new AccessTokenRevoked(Jti, "web", Now.AddMinutes(15), "sid"));

    [Fact]
    public void revoking_twice_or_an_expired_token_appends_nothing()
    {
        Token().Given(new AccessTokenRevoked(Jti, "web", Now.AddMinutes(15))).When(s => AccessTokenRevocation.Revoke(s, Jti, "web", Now.AddMinutes(15), null, Now)).ThenNothing();
        Token().When(s => AccessTokenRevocation.Revoke(s, Jti, "web", Now, null, Now)).ThenNothing();
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    public void a_malformed_jti_is_refused(string jti) =>
        Token().When(s => AccessTokenRevocation.Revoke(s, jti, "web", Now.AddMinutes(15), null, Now)).ThenFails(DomainErrors.RefreshInvalidRequest);
}
