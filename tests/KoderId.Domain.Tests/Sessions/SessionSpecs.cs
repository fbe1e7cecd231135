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
    public void an_ended_account_revokes_with_its_own_reason()
    {
        Session().Given(Started).When(s => Domain.Sessions.Session.Revoke(s, SessionRevokeReasons.UserDisabled)).Then(new SessionRevoked(Sid, "u1", "user-disabled"));
        Session().Given(Started).When(s => Domain.Sessions.Session.Revoke(s, SessionRevokeReasons.UserDeleted)).Then(new SessionRevoked(Sid, "u1", "user-deleted"));
        Session().Given(Started).When(s => Domain.Sessions.Session.Revoke(s, SessionRevokeReasons.UserErased)).Then(new SessionRevoked(Sid, "u1", "user-erased"));
    }

    [Fact]
    public void the_reasons_only_grow_and_the_event_schema_allows_every_one()
    {
        // ADR 0008: session.revoked.v1 stays v1 because its reason enum only gains values; the first six are the original ones, in order.
        Assert.Equal(["logout", "admin", "user-disabled", "password-changed", "security", "reuse-detected"], SessionRevokeReasons.All.Take(6));
        var schema = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "eventschemas", "sessions", "session.revoked.v1.schema.json")));
        var allowed = schema.RootElement.GetProperty("properties").GetProperty("reason").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Equal(SessionRevokeReasons.All, allowed);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KoderId.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No KoderId.sln above {AppContext.BaseDirectory}.");
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
