using KoderId.Domain.Sessions;
using KoderId.Events.Sessions;

namespace KoderId.Domain.Tests.Sessions;

public sealed class SessionSpecs
{
    private const string Sid = "0197a3f2c1d47c3e9b5a2f6d8e0c1b2b";
    private const string Hash = "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg";
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly SessionStarted Started = new(Sid, "u1", ["pwd"], Now.AddDays(14), "203.0.113.1", "Firefox", Hash, "urn:acr:pwd", Now);

    private static Spec<SessionState> Session() => new(SessionState.Initial, Domain.Sessions.Session.Evolve);

    [Fact]
    public void a_session_starts_with_the_hash_of_its_secret_its_acr_and_auth_time() =>
        Session().When(s => Domain.Sessions.Session.Start(s, Sid, "u1", ["pwd"], "urn:acr:pwd", Now, Now.AddDays(14), Hash, Now, "203.0.113.1", "Firefox"))
            .Then(Started);

    [Fact]
    public void a_session_needs_amr_a_future_expiry_and_a_past_auth_time()
    {
        Session().When(s => Domain.Sessions.Session.Start(s, Sid, "u1", [], null, Now, Now.AddDays(1), Hash, Now)).ThenFails(DomainErrors.SessionInvalidRequest);
        Session().When(s => Domain.Sessions.Session.Start(s, Sid, "u1", ["pwd", "pwd"], null, Now, Now.AddDays(1), Hash, Now)).ThenFails(DomainErrors.SessionInvalidRequest);
        Session().When(s => Domain.Sessions.Session.Start(s, Sid, "u1", ["pwd"], null, Now, Now, Hash, Now)).ThenFails(DomainErrors.SessionInvalidRequest);
        Session().When(s => Domain.Sessions.Session.Start(s, Sid, "u1", ["pwd"], null, Now.AddSeconds(1), Now.AddDays(1), Hash, Now)).ThenFails(DomainErrors.SessionInvalidRequest);
        Session().Given(Started).When(s => Domain.Sessions.Session.Start(s, Sid, "u1", ["pwd"], null, Now, Now.AddDays(1), Hash, Now)).ThenFails(DomainErrors.SessionInvalidRequest);
    }

    [Fact]
    public void revoking_is_once_with_a_known_reason_and_a_missing_session_is_not_found()
    {
        Session().Given(Started).When(s => Domain.Sessions.Session.Revoke(s, "reuse-detected")).Then(new SessionRevoked(Sid, "u1", "reuse-detected"));
        Session().Given(Started, new SessionRevoked(Sid, "u1", "logout")).When(s => Domain.Sessions.Session.Revoke(s, "admin")).ThenNothing();
        Session().Given(Started).When(s => Domain.Sessions.Session.Revoke(s, "bored")).ThenFails(DomainErrors.SessionInvalidReason);
        Session().When(s => Domain.Sessions.Session.Revoke(s, "logout")).ThenFails(DomainErrors.SessionNotFound);
    }

    [Fact]
    public void a_session_is_active_until_revoked_or_expired()
    {
        var started = Session().Given(Started).State;
        Assert.True(started.IsActiveAt(Now));
        Assert.False(started.IsActiveAt(Now.AddDays(14)));
        Assert.False(Session().Given(Started, new SessionRevoked(Sid, "u1", "logout")).State.IsActiveAt(Now));
    }
}
