using KoderId.Application.Common;
using KoderId.Application.Grants;
using KoderId.Application.Sessions;
using KoderId.Application.Tenants;
using KoderId.Application.Tests.Users;
using KoderId.Application.Users;
using KoderId.Domain;
using KoderId.Domain.Grants;
using KoderId.Events.Grants;
using KoderId.Events.Sessions;
using KoderId.EventSourcing.Sqlite;
using KoderId.EventSourcing.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Application.Tests.Grants;

/// <summary>Sessions, codes and refresh families through the real handlers, enrolled by the in-memory and SQLite stores.</summary>
public abstract class GrantCommandTests : IAsyncLifetime
{
    private const string Client = "web-app";
    private const string Redirect = "https://app.example.com/callback";
    private const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    private readonly ManualClock _clock = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly AppendBarrier _barrier = new();
    private string _alice = "";

    protected WriteSide App { get; private set; } = null!;

    protected abstract Task<WriteSide> CreateAsync(Func<IEventStore, IEventStore> decorate, Action<IServiceCollection> configure);

    public async Task InitializeAsync()
    {
        App = await CreateAsync(_barrier.Wrap, s => s.AddSingleton<IClock>(_clock));
        await App.SendAsync(new CreateTenant("acme", "Acme"));
        await App.SendAsync(new CreateTenant("globex", "Globex"));
        _alice = (await App.SendAsync(new CreateUser("acme", "alice", "alice@example.com"))).UserId;
    }

    public virtual async Task DisposeAsync() => await App.DisposeAsync();

    private Task<StartedSession> SignInAsync(string tenant = "acme", string? user = null) =>
        App.SendAsync(new StartSession(tenant, user ?? _alice, ["pwd"], "urn:koderid:acr:pwd"), userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0");

    private async Task<(StartedSession Session, string Code)> CodeAsync(string? challengeFor = Verifier, string? method = Pkce.S256)
    {
        var session = await SignInAsync();
        var code = await App.SendAsync(new IssueAuthorizationCode("acme", Client, Redirect, "openid offline_access", session.SessionId, "n-1",
            challengeFor is null ? null : Pkce.Challenge(challengeFor), challengeFor is null ? null : method));
        return (session, code.Code);
    }

    private Task<RedeemedAuthorizationCode> RedeemAsync(string code, string? verifier = Verifier, string client = Client, string redirect = Redirect, string tenant = "acme") =>
        App.SendAsync(new RedeemAuthorizationCode(tenant, code, client, redirect, verifier, IssueRefreshToken: true));

    private async Task<string> FailsAsync<T>(Func<Task<T>> action) => (await Assert.ThrowsAsync<DomainException>(action)).Code;

    private async Task<IReadOnlyList<object>> StreamAsync(string tenant, string stream) =>
        (await App.ReadStreamAsync(tenant, stream)).Select(e => e.Event).ToArray();

    [Fact]
    public async Task a_session_stores_only_the_hash_of_its_cookie_secret_and_its_acr_and_auth_time()
    {
        var session = await SignInAsync();

        Assert.True(SessionCookie.TryParse(session.Cookie, out var sid, out var secret));
        Assert.Equal(session.SessionId, sid);
        var started = Assert.IsType<SessionStarted>(Assert.Single(await StreamAsync("acme", StreamNames.Session("acme", sid))));
        Assert.Equal(GrantSecrets.Hash(secret), started.SecretHash);
        Assert.Equal("urn:koderid:acr:pwd", started.Acr);
        Assert.Equal(_clock.UtcNow, started.AuthTime);
        Assert.DoesNotContain(secret, string.Join("\n", (await App.ReadAllAsync()).Select(e => e.Data)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_disabled_or_unknown_user_gets_no_session()
    {
        await App.SendAsync(new DisableUser("acme", _alice));
        Assert.Equal(DomainErrors.UserDisabled, await FailsAsync(() => SignInAsync()));
        Assert.Equal(DomainErrors.UserNotFound, await FailsAsync(() => SignInAsync("globex")));
    }

    [Fact]
    public async Task revoking_a_session_is_once_and_signing_out_everywhere_revokes_every_active_session()
    {
        var one = await SignInAsync();
        var two = await SignInAsync();
        var three = await SignInAsync();

        Assert.True((await App.SendAsync(new RevokeSession("acme", one.SessionId, "logout"))).Changed);
        Assert.False((await App.SendAsync(new RevokeSession("acme", one.SessionId, "admin"))).Changed);
        var everywhere = await App.SendAsync(new RevokeUserSessions("acme", _alice, "security"));

        Assert.Equal(new[] { two.SessionId, three.SessionId }.Order(StringComparer.Ordinal), everywhere.SessionIds.Order(StringComparer.Ordinal));
        Assert.Equal(new SessionRevoked(one.SessionId, _alice, "logout"), (await StreamAsync("acme", StreamNames.Session("acme", one.SessionId)))[^1]);
        Assert.Equal(DomainErrors.SessionInvalidReason, await FailsAsync(() => App.SendAsync(new RevokeSession("acme", two.SessionId, "bored"))));
        Assert.Equal(DomainErrors.SessionNotFound, await FailsAsync(() => App.SendAsync(new RevokeSession("globex", two.SessionId, "admin"))));
    }

    [Fact]
    public async Task a_code_is_redeemed_once_with_its_grant_and_a_refresh_family()
    {
        var (session, code) = await CodeAsync();

        var grant = await RedeemAsync(code);

        Assert.Equal((_alice, session.SessionId, "openid offline_access", "n-1", "urn:koderid:acr:pwd"), (grant.UserId, grant.SessionId, grant.Scope, grant.Nonce, grant.Acr));
        Assert.Equal(["pwd"], grant.AuthMethods.AsEnumerable());
        Assert.StartsWith(grant.RefreshFamilyId + ".", grant.RefreshToken, StringComparison.Ordinal);
        var events = await StreamAsync("acme", StreamNames.AuthorizationCode("acme", GrantSecrets.Hash(code)));
        Assert.Equal(new AuthorizationCodeRedeemed(GrantSecrets.Hash(code), Client, session.SessionId, _alice, grant.RefreshFamilyId), events[1]);
    }

    [Fact]
    public async Task fifty_parallel_redemptions_of_one_code_give_exactly_one_grant_and_the_losers_revoke_what_it_started()
    {
        var (_, code) = await CodeAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            try
            {
                return (Code: "ok", Grant: await RedeemAsync(code));
            }
            catch (DomainException ex)
            {
                return (Code: ex.Code, Grant: (RedeemedAuthorizationCode?)null);
            }
        })));

        var winner = Assert.Single(outcomes, o => o.Code == "ok").Grant!;
        Assert.Equal(49, outcomes.Count(o => o.Code == DomainErrors.CodeAlreadyRedeemed));
        var codeEvents = await StreamAsync("acme", StreamNames.AuthorizationCode("acme", GrantSecrets.Hash(code)));
        Assert.Single(codeEvents.OfType<AuthorizationCodeRedeemed>());
        Assert.Equal(winner.RefreshFamilyId, Assert.Single(codeEvents.OfType<AuthorizationCodeReuseDetected>()).RevokedFamilyId);

        // What the first redemption issued is revoked: its refresh token no longer works.
        Assert.Equal(DomainErrors.RefreshRevoked, await FailsAsync(() => App.SendAsync(new RotateRefreshToken("acme", winner.RefreshToken!, Client))));
        Assert.Equal(RefreshRevokeReasons.CodeReuse, Assert.IsType<RefreshFamilyRevoked>((await StreamAsync("acme", StreamNames.RefreshFamily("acme", winner.RefreshFamilyId!)))[^1]).Reason);

        // And a later replay is refused the same way, appending nothing more.
        var before = (await App.ReadAllAsync()).Count;
        Assert.Equal(DomainErrors.CodeAlreadyRedeemed, await FailsAsync(() => RedeemAsync(code)));
        Assert.Equal(before, (await App.ReadAllAsync()).Count);
    }

    [Fact]
    public async Task a_second_redemption_later_revokes_the_refresh_family_of_the_first_and_records_a_security_event()
    {
        var (_, code) = await CodeAsync();
        var first = await RedeemAsync(code);
        var rotated = await App.SendAsync(new RotateRefreshToken("acme", first.RefreshToken!, Client));

        Assert.Equal(DomainErrors.CodeAlreadyRedeemed, await FailsAsync(() => RedeemAsync(code)));

        Assert.Equal(DomainErrors.RefreshRevoked, await FailsAsync(() => App.SendAsync(new RotateRefreshToken("acme", rotated.RefreshToken, Client))));
        Assert.Contains(await StreamAsync("acme", StreamNames.AuthorizationCode("acme", GrantSecrets.Hash(code))), e => e is AuthorizationCodeReuseDetected);
    }

    [Fact]
    public async Task pkce_failures_are_refused_and_leave_the_code_redeemable()
    {
        var (_, code) = await CodeAsync();

        Assert.Equal(DomainErrors.CodePkceFailed, await FailsAsync(() => RedeemAsync(code, verifier: "wrong-verifier-wrong-verifier-wrong-verifier-x")));
        Assert.Equal(DomainErrors.CodePkceFailed, await FailsAsync(() => RedeemAsync(code, verifier: null)));
        Assert.Equal(DomainErrors.CodePkceFailed, await FailsAsync(() => RedeemAsync(code, verifier: Verifier[..42])));
        Assert.Equal(DomainErrors.CodeClientMismatch, await FailsAsync(() => RedeemAsync(code, client: "other")));
        Assert.Equal(DomainErrors.CodeRedirectUriMismatch, await FailsAsync(() => RedeemAsync(code, redirect: Redirect + "/")));

        Assert.Single(await StreamAsync("acme", StreamNames.AuthorizationCode("acme", GrantSecrets.Hash(code))));
        await RedeemAsync(code);
    }

    [Fact]
    public async Task the_plain_method_a_missing_method_and_a_downgrade_are_refused()
    {
        Assert.Equal(DomainErrors.CodeInvalidChallenge, await FailsAsync(() => CodeAsync(method: "plain")));
        Assert.Equal(DomainErrors.CodeInvalidChallenge, await FailsAsync(() => CodeAsync(method: null)));

        // No challenge in the request (a client allowed without PKCE): a verifier at the token endpoint is a downgrade.
        var (_, code) = await CodeAsync(challengeFor: null);
        Assert.Equal(DomainErrors.CodePkceFailed, await FailsAsync(() => RedeemAsync(code, Verifier)));
        await RedeemAsync(code, verifier: null);
    }

    [Fact]
    public async Task a_code_expires_after_sixty_seconds()
    {
        var (_, code) = await CodeAsync();
        _clock.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal(DomainErrors.CodeExpired, await FailsAsync(() => RedeemAsync(code)));
    }

    [Fact]
    public async Task a_code_or_refresh_token_of_one_tenant_is_unknown_at_another()
    {
        await App.SendAsync(new CreateUser("globex", "alice", "alice@globex.example"));
        var (_, code) = await CodeAsync();
        Assert.Equal(DomainErrors.CodeNotFound, await FailsAsync(() => RedeemAsync(code, tenant: "globex")));

        var grant = await RedeemAsync(code);
        Assert.Equal(DomainErrors.RefreshNotFound, await FailsAsync(() => App.SendAsync(new RotateRefreshToken("globex", grant.RefreshToken!, Client))));
        Assert.False((await App.SendAsync(new RevokeRefreshToken("globex", grant.RefreshToken!, Client))).Changed);
        Assert.Equal(DomainErrors.SessionNotFound, await FailsAsync(() => App.SendAsync(new IssueAuthorizationCode("globex", Client, Redirect, "openid", grant.SessionId))));

        await App.SendAsync(new RotateRefreshToken("acme", grant.RefreshToken!, Client));
    }

    [Fact]
    public async Task a_refresh_token_rotates_and_its_rotated_out_generation_presented_later_revokes_the_family()
    {
        var (_, code) = await CodeAsync();
        var first = (await RedeemAsync(code)).RefreshToken!;
        var second = await App.SendAsync(new RotateRefreshToken("acme", first, Client));
        var third = await App.SendAsync(new RotateRefreshToken("acme", second.RefreshToken, Client));
        Assert.Equal(3, third.Generation);

        Assert.Equal(DomainErrors.RefreshReused, await FailsAsync(() => App.SendAsync(new RotateRefreshToken("acme", first, Client))));

        var events = await StreamAsync("acme", StreamNames.RefreshFamily("acme", third.FamilyId));
        Assert.Equal(new RefreshTokenReuseDetected(third.FamilyId, third.SessionId, _alice, 1, 3), events[^2]);
        Assert.Equal(new RefreshFamilyRevoked(third.FamilyId, third.SessionId, _alice, RefreshRevokeReasons.ReuseDetected), events[^1]);
        Assert.Equal(DomainErrors.RefreshRevoked, await FailsAsync(() => App.SendAsync(new RotateRefreshToken("acme", third.RefreshToken, Client))));
    }

    [Fact]
    public async Task fifty_parallel_rotations_of_one_refresh_token_give_exactly_one_success_and_revoke_nothing()
    {
        var (_, code) = await CodeAsync();
        var token = (await RedeemAsync(code)).RefreshToken!;

        _barrier.Arm(50);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            try
            {
                return (Code: "ok", Rotated: await App.SendAsync(new RotateRefreshToken("acme", token, Client)));
            }
            catch (DomainException ex)
            {
                return (Code: ex.Code, Rotated: (RotatedRefreshToken?)null);
            }
        })));

        var winner = Assert.Single(outcomes, o => o.Code == "ok").Rotated!;
        Assert.Equal(49, outcomes.Count(o => o.Code == DomainErrors.RefreshConcurrentRotation));
        var events = await StreamAsync("acme", StreamNames.RefreshFamily("acme", winner.FamilyId));
        Assert.Equal([typeof(RefreshFamilyStarted), typeof(RefreshTokenRotated)], events.Select(e => e.GetType()));
        await App.SendAsync(new RotateRefreshToken("acme", winner.RefreshToken, Client));
    }

    [Fact]
    public async Task a_refresh_token_is_refused_for_another_client_after_expiry_after_revocation_and_when_its_session_is_revoked()
    {
        var session = await SignInAsync();
        var family = await App.SendAsync(new StartRefreshFamily("acme", session.SessionId, Client, "openid", TimeSpan.FromHours(1)));
        Assert.Equal(DomainErrors.RefreshClientMismatch, await FailsAsync(() => App.SendAsync(new RotateRefreshToken("acme", family.RefreshToken, "other"))));
        Assert.Equal(DomainErrors.RefreshNotFound, await FailsAsync(() => App.SendAsync(new RotateRefreshToken("acme", family.FamilyId + ".forged", Client))));
        Assert.Equal(DomainErrors.RefreshNotFound, await FailsAsync(() => App.SendAsync(new RotateRefreshToken("acme", family.FamilyId + "." + GrantSecrets.NewSecret(), Client))));

        await App.SendAsync(new RevokeSession("acme", session.SessionId, "logout"));
        Assert.Equal(DomainErrors.SessionRevoked, await FailsAsync(() => App.SendAsync(new RotateRefreshToken("acme", family.RefreshToken, Client))));

        var other = await App.SendAsync(new StartRefreshFamily("acme", (await SignInAsync()).SessionId, Client, "openid", TimeSpan.FromHours(1)));
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(DomainErrors.RefreshExpired, await FailsAsync(() => App.SendAsync(new RotateRefreshToken("acme", other.RefreshToken, Client))));
    }

    [Fact]
    public async Task rfc_7009_revocation_ends_the_family_for_its_own_client_only()
    {
        var session = await SignInAsync();
        var family = await App.SendAsync(new StartRefreshFamily("acme", session.SessionId, Client, "openid"));

        Assert.Equal(DomainErrors.RefreshClientMismatch, await FailsAsync(() => App.SendAsync(new RevokeRefreshToken("acme", family.RefreshToken, "other"))));
        Assert.False((await App.SendAsync(new RevokeRefreshToken("acme", "not-a-token", Client))).Changed);
        Assert.False((await App.SendAsync(new RevokeRefreshToken("acme", family.FamilyId + "." + GrantSecrets.NewSecret(), Client))).Changed);
        Assert.True((await App.SendAsync(new RevokeRefreshToken("acme", family.RefreshToken, Client))).Changed);
        Assert.False((await App.SendAsync(new RevokeRefreshFamily("acme", family.FamilyId, RefreshRevokeReasons.Logout))).Changed);

        Assert.Equal(DomainErrors.RefreshRevoked, await FailsAsync(() => App.SendAsync(new RotateRefreshToken("acme", family.RefreshToken, Client))));
    }

    [Fact]
    public async Task an_access_token_is_revoked_by_jti_once_and_only_while_it_lives()
    {
        const string Jti = "q1Xo3vYd0Jt6m1bR9k2pAw";
        var exp = _clock.UtcNow.AddMinutes(15);

        Assert.True((await App.SendAsync(new RevokeAccessToken("acme", Jti, Client, exp, null))).Changed);
        Assert.False((await App.SendAsync(new RevokeAccessToken("acme", Jti, Client, exp, null))).Changed);
        Assert.False((await App.SendAsync(new RevokeAccessToken("acme", "expired-jti", Client, _clock.UtcNow, null))).Changed);
        Assert.Equal([new AccessTokenRevoked(Jti, Client, exp)], await StreamAsync("acme", StreamNames.AccessToken("acme", Jti)));
        Assert.Equal(DomainErrors.RefreshInvalidRequest, await FailsAsync(() => App.SendAsync(new RevokeAccessToken("acme", "bad jti", Client, exp, null))));
    }
}

public sealed class InMemoryGrantCommandTests : GrantCommandTests
{
    protected override Task<WriteSide> CreateAsync(Func<IEventStore, IEventStore> decorate, Action<IServiceCollection> configure) =>
        Task.FromResult(new WriteSide(decorate, configure));
}

public sealed class SqliteGrantCommandTests : GrantCommandTests
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "koderid-grants-" + Guid.NewGuid().ToString("N"));

    protected override async Task<WriteSide> CreateAsync(Func<IEventStore, IEventStore> decorate, Action<IServiceCollection> configure)
    {
        Directory.CreateDirectory(_folder);
        var database = new SqliteDatabase($"Data Source={Path.Combine(_folder, "koderid.db")}");
        await database.InitializeAsync();
        return new WriteSide(new SqliteEventStore(database), new SqliteSubjectKeyStore(database), decorate, configure);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
