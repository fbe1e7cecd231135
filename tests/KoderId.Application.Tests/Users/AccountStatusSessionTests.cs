using KoderId.Application.Common;
using KoderId.Application.Grants;
using KoderId.Application.Sessions;
using KoderId.Application.Tenants;
using KoderId.Application.Tests.Grants;
using KoderId.Application.Users;
using KoderId.Domain;
using KoderId.Domain.Grants;
using KoderId.Domain.Sessions;
using KoderId.Domain.Users;
using KoderId.Events.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Application.Tests.Users;

/// <summary>ADR 0008: disabling, deleting and erasing a user end its sessions; the grants re-check the user even when a crash skipped that.</summary>
public sealed class AccountStatusSessionTests : IAsyncLifetime
{
    private const string Client = "web-app";
    private const string Redirect = "https://app.example.com/callback";
    private const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    private readonly ManualClock _clock = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private WriteSide _app = null!;
    private string _alice = "";
    private string _bob = "";

    public async Task InitializeAsync()
    {
        _app = new WriteSide(configure: s => s.AddSingleton<IClock>(_clock));
        await _app.SendAsync(new CreateTenant("acme", "Acme"));
        _alice = (await _app.SendAsync(new CreateUser("acme", "alice", "alice@example.com"))).UserId;
        _bob = (await _app.SendAsync(new CreateUser("acme", "bob", "bob@example.com"))).UserId;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    public static TheoryData<string> Hows => new() { "disable", "delete", "erase" };

    public static TheoryData<string, string> Endings => new()
    {
        { "disable", SessionRevokeReasons.UserDisabled },
        { "delete", SessionRevokeReasons.UserDeleted },
        { "erase", SessionRevokeReasons.UserErased },
    };

    private Task<StartedSession> SignInAsync(string? user = null) => _app.SendAsync(new StartSession("acme", user ?? _alice, ["pwd"], "urn:koderid:acr:pwd"));

    private async Task<RedeemedAuthorizationCode> TokensAsync(StartedSession session)
    {
        var code = await _app.SendAsync(new IssueAuthorizationCode("acme", Client, Redirect, "openid offline_access", session.SessionId, null,
            Pkce.Challenge(Verifier), Pkce.S256));
        return await _app.SendAsync(new RedeemAuthorizationCode("acme", code.Code, Client, Redirect, Verifier, IssueRefreshToken: true));
    }

    private Task<CommandResult> EndAsync(string how, string? user = null) => how switch
    {
        "disable" => _app.SendAsync(new DisableUser("acme", user ?? _alice)),
        "delete" => _app.SendAsync(new DeleteUser("acme", user ?? _alice)),
        _ => _app.SendAsync(new EraseUser("acme", user ?? _alice)),
    };

    /// <summary>The status event alone, as if the server stopped right after the append and before the revocation.</summary>
    private Task AppendStatusOnlyAsync(string how) => _app.WithScopeAsync<AggregateStore, Decided<UserState>>(a => a.DecideAsync(
        Aggregates.User, "acme", StreamNames.User("acme", _alice), s => how switch
        {
            "disable" => User.Disable(s),
            "delete" => User.Delete(s),
            _ => User.Erase(s),
        }));

    private async Task<SessionRevoked?> RevocationAsync(string sessionId) =>
        (await _app.ReadStreamAsync("acme", StreamNames.Session("acme", sessionId))).Select(e => e.Event).OfType<SessionRevoked>().SingleOrDefault();

    private async Task<string> FailsAsync<T>(Func<Task<T>> action) => (await Assert.ThrowsAsync<DomainException>(action)).Code;

    [Theory]
    [MemberData(nameof(Endings))]
    public async Task ending_an_account_revokes_every_active_session_of_that_user_with_its_reason(string how, string reason)
    {
        var one = await SignInAsync();
        var two = await SignInAsync();
        var bobs = await SignInAsync(_bob);

        Assert.True((await EndAsync(how)).Changed);

        Assert.Equal(new SessionRevoked(one.SessionId, _alice, reason), await RevocationAsync(one.SessionId));
        Assert.Equal(new SessionRevoked(two.SessionId, _alice, reason), await RevocationAsync(two.SessionId));
        Assert.Null(await RevocationAsync(bobs.SessionId));
        Assert.Empty(await _app.Services.GetRequiredService<IActiveSessions>().ListActiveSessionIdsAsync("acme", _alice, _clock.UtcNow));
    }

    [Theory]
    [MemberData(nameof(Endings))]
    public async Task the_refresh_token_of_an_ended_account_no_longer_rotates(string how, string reason)
    {
        var tokens = await TokensAsync(await SignInAsync());

        await EndAsync(how);

        Assert.Equal(DomainErrors.SessionRevoked, await FailsAsync(() => _app.SendAsync(new RotateRefreshToken("acme", tokens.RefreshToken!, Client))));
        Assert.Equal(reason, (await RevocationAsync(tokens.SessionId))!.Reason);
    }

    [Theory]
    [MemberData(nameof(Endings))]
    public async Task a_retried_command_finishes_a_revocation_a_crash_cut_short(string how, string reason)
    {
        var session = await SignInAsync();
        await AppendStatusOnlyAsync(how);
        Assert.Null(await RevocationAsync(session.SessionId));

        Assert.False((await EndAsync(how)).Changed);

        Assert.Equal(reason, (await RevocationAsync(session.SessionId))!.Reason);
    }

    [Theory]
    [MemberData(nameof(Hows))]
    public async Task until_the_revocation_is_recorded_the_grants_refuse_the_session_before_appending_anything(string how)
    {
        var session = await SignInAsync();
        var tokens = await TokensAsync(session);
        var pending = await _app.SendAsync(new IssueAuthorizationCode("acme", Client, Redirect, "openid", session.SessionId, null, Pkce.Challenge(Verifier), Pkce.S256));
        await AppendStatusOnlyAsync(how);
        var before = (await _app.ReadAllAsync()).Count;

        Assert.Equal(DomainErrors.SessionUserInactive, await FailsAsync(() => _app.SendAsync(new RotateRefreshToken("acme", tokens.RefreshToken!, Client))));
        Assert.Equal(DomainErrors.SessionUserInactive, await FailsAsync(() => _app.SendAsync(new RedeemAuthorizationCode("acme", pending.Code, Client, Redirect, Verifier, IssueRefreshToken: true))));
        Assert.Equal(DomainErrors.SessionUserInactive, await FailsAsync(() => _app.SendAsync(new IssueAuthorizationCode("acme", Client, Redirect, "openid", session.SessionId))));

        Assert.Equal(before, (await _app.ReadAllAsync()).Count);
    }

    [Fact]
    public async Task enabling_after_an_interrupted_disable_revokes_the_leftover_sessions_before_the_user_is_enabled()
    {
        var session = await SignInAsync();
        var tokens = await TokensAsync(session);
        await AppendStatusOnlyAsync("disable");

        Assert.True((await _app.SendAsync(new EnableUser("acme", _alice))).Changed);

        Assert.Equal(SessionRevokeReasons.UserDisabled, (await RevocationAsync(session.SessionId))!.Reason);
        var log = await _app.ReadAllAsync();
        var revokedAt = log.Single(e => e.EventType == "session.revoked.v1").Position;
        var enabledAt = log.Single(e => e.EventType == "user.enabled.v1").Position;
        Assert.True(revokedAt < enabledAt, "the session must be revoked before the user is enabled");
        Assert.Equal(DomainErrors.SessionRevoked, await FailsAsync(() => _app.SendAsync(new RotateRefreshToken("acme", tokens.RefreshToken!, Client))));
    }

    [Fact]
    public async Task restoring_after_an_interrupted_delete_revokes_the_leftover_sessions_first()
    {
        var session = await SignInAsync();
        await AppendStatusOnlyAsync("delete");

        Assert.True((await _app.SendAsync(new RestoreUser("acme", _alice))).Changed);

        Assert.Equal(SessionRevokeReasons.UserDeleted, (await RevocationAsync(session.SessionId))!.Reason);
        Assert.Empty(await _app.Services.GetRequiredService<IActiveSessions>().ListActiveSessionIdsAsync("acme", _alice, _clock.UtcNow));
    }

    [Fact]
    public async Task enabling_again_brings_no_session_back_and_a_new_sign_in_is_a_new_session()
    {
        var old = await SignInAsync();
        var tokens = await TokensAsync(old);
        await EndAsync("disable");

        await _app.SendAsync(new EnableUser("acme", _alice));

        Assert.Equal(DomainErrors.SessionRevoked, await FailsAsync(() => _app.SendAsync(new RotateRefreshToken("acme", tokens.RefreshToken!, Client))));
        Assert.Equal(DomainErrors.SessionRevoked, await FailsAsync(() => _app.SendAsync(new IssueAuthorizationCode("acme", Client, Redirect, "openid", old.SessionId))));
        var fresh = await SignInAsync();
        Assert.Equal([fresh.SessionId], await _app.Services.GetRequiredService<IActiveSessions>().ListActiveSessionIdsAsync("acme", _alice, _clock.UtcNow));
    }

    [Fact]
    public async Task enabling_an_enabled_user_revokes_nothing()
    {
        var session = await SignInAsync();

        Assert.False((await _app.SendAsync(new EnableUser("acme", _alice))).Changed);
        Assert.False((await _app.SendAsync(new RestoreUser("acme", _alice))).Changed);

        Assert.Null(await RevocationAsync(session.SessionId));
    }

    [Fact]
    public async Task a_locked_user_keeps_its_sessions_but_its_refresh_token_waits_for_the_unlock()
    {
        var tokens = await TokensAsync(await SignInAsync());
        await _app.SendAsync(new LockOutUser("acme", _alice, 5));

        Assert.Equal(DomainErrors.LockoutUserLocked, await FailsAsync(() => _app.SendAsync(new RotateRefreshToken("acme", tokens.RefreshToken!, Client))));
        Assert.Null(await RevocationAsync(tokens.SessionId));

        await _app.SendAsync(new UnlockUser("acme", _alice));
        Assert.NotNull(await _app.SendAsync(new RotateRefreshToken("acme", tokens.RefreshToken!, Client)));
    }

    [Fact]
    public async Task ending_an_unknown_or_malformed_user_is_not_found_and_revokes_nothing()
    {
        var session = await SignInAsync();

        Assert.Equal(DomainErrors.UserNotFound, await _app.FailsWithAsync(new DisableUser("acme", "no-such-user")));
        Assert.Equal(DomainErrors.UserNotFound, await _app.FailsWithAsync(new DeleteUser("acme", "bad id/with slash")));
        Assert.Equal(DomainErrors.UserNotFound, await _app.FailsWithAsync(new EraseUser("acme", "")));
        Assert.Equal(DomainErrors.UserNotFound, await _app.FailsWithAsync(new EnableUser("acme", "no-such-user")));
        Assert.Equal(DomainErrors.UserNotFound, await _app.FailsWithAsync(new RestoreUser("acme", "no-such-user")));

        Assert.Null(await RevocationAsync(session.SessionId));
        Assert.DoesNotContain(await _app.ReadAllAsync(), e => e.EventType == "session.revoked.v1");
    }
}
