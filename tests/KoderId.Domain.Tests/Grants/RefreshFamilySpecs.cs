using KoderId.Domain.Grants;
using KoderId.Events.Grants;

namespace KoderId.Domain.Tests.Grants;

public sealed class RefreshFamilySpecs
{
    private const string Family = "0197a3f2c1d47c3e9b5a2f6d8e0c1b2a";
    private const string Sid = "0197a3f2c1d47c3e9b5a2f6d8e0c1b2b";
    private const string G1 = "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg";
    private const string G2 = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU";
    private const string G3 = "ypeBEsobvcr6wjGzmiPcTaeG7_gUfE5yuYB3ha_uSLs";
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly RefreshFamilyStarted Started = new(Family, Sid, "web", "u1", "openid", Now, ["pwd"], G1, Now.AddDays(30));

    private static Spec<RefreshFamilyState> Refresh() => new(RefreshFamilyState.Initial, RefreshFamily.Evolve);

    [Fact]
    public void a_family_starts_with_the_hash_of_generation_one() =>
        Refresh().When(s => RefreshFamily.Start(s, Family, Sid, "web", "u1", "openid", Now, ["pwd"], null, G1, Now.AddDays(30), Now)).Then(Started);

    [Fact]
    public void the_current_generation_rotates_to_the_next()
    {
        var outcome = Refresh().Given(Started).When(s => RefreshFamily.Rotate(s, G1, "web", G2, Now)).Then(new RefreshTokenRotated(Family, Sid, "u1", 2, G2));
        Assert.Equal((2, G2), (outcome.After.Generation, outcome.After.CurrentHash));
    }

    [Fact]
    public void a_rotated_out_generation_is_a_replay_that_revokes_the_family() =>
        Refresh().Given(Started, new RefreshTokenRotated(Family, Sid, "u1", 2, G2), new RefreshTokenRotated(Family, Sid, "u1", 3, G3))
            .When(s => RefreshFamily.Rotate(s, G1, "web", "new", Now))
            .Then(new RefreshTokenReuseDetected(Family, Sid, "u1", 1, 3), new RefreshFamilyRevoked(Family, Sid, "u1", RefreshRevokeReasons.ReuseDetected));

    [Fact]
    public void an_unknown_token_another_client_a_revoked_or_expired_family_are_refused_without_events()
    {
        Refresh().When(s => RefreshFamily.Rotate(s, G1, "web", G2, Now)).ThenFails(DomainErrors.RefreshNotFound);
        Refresh().Given(Started).When(s => RefreshFamily.Rotate(s, G3, "web", G2, Now)).ThenFails(DomainErrors.RefreshNotFound);
        Refresh().Given(Started).When(s => RefreshFamily.Rotate(s, G1, "other", G2, Now)).ThenFails(DomainErrors.RefreshClientMismatch);
        Refresh().Given(Started).When(s => RefreshFamily.Rotate(s, G1, "web", G2, Now.AddDays(30))).ThenFails(DomainErrors.RefreshExpired);
        Refresh().Given(Started, new RefreshFamilyRevoked(Family, Sid, "u1", "logout")).When(s => RefreshFamily.Rotate(s, G1, "web", G2, Now)).ThenFails(DomainErrors.RefreshRevoked);
    }

    [Fact]
    public void revoking_is_once_and_rfc_7009_needs_a_generation_of_the_family_and_its_client()
    {
        Refresh().Given(Started).When(s => RefreshFamily.Revoke(s, "logout")).Then(new RefreshFamilyRevoked(Family, Sid, "u1", "logout"));
        Refresh().Given(Started, new RefreshFamilyRevoked(Family, Sid, "u1", "logout")).When(s => RefreshFamily.Revoke(s, "security")).ThenNothing();
        Refresh().Given(Started).When(s => RefreshFamily.Revoke(s, "whatever")).ThenFails(DomainErrors.RefreshInvalidRequest);
        Refresh().Given(Started).When(s => RefreshFamily.RevokeToken(s, G1, "web")).Then(new RefreshFamilyRevoked(Family, Sid, "u1", RefreshRevokeReasons.Revoked));
        Refresh().Given(Started).When(s => RefreshFamily.RevokeToken(s, G2, "web")).ThenFails(DomainErrors.RefreshNotFound);
        Refresh().Given(Started).When(s => RefreshFamily.RevokeToken(s, G1, "other")).ThenFails(DomainErrors.RefreshClientMismatch);
    }
}
