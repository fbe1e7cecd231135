using KoderId.Events.Grants;
using KoderId.Events.Sessions;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Storage;
using KoderId.Projections.Grants;
using KoderId.Projections.Sessions;

namespace KoderId.Projections.Tests;

public sealed class SqliteGrantProjectionTests : GrantProjectionTests
{
    protected override SqlDialect Dialect => SqlDialect.Sqlite;
}

public sealed class PostgresGrantProjectionTests : GrantProjectionTests
{
    protected override SqlDialect Dialect => SqlDialect.Postgres;
}

/// <summary>The sessions (v2) and refresh_families models: the query contracts of the login page, introspection and the admin API.</summary>
public abstract class GrantProjectionTests
{
    private const string Sid = "0197a3f2c1d47c3e9b5a2f6d8e0c1b2b";
    private const string Family = "0197a3f2c1d47c3e9b5a2f6d8e0c1b2a";
    private const string Secret = "secret-of-the-cookie-secret-of-the-cookie-0";
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    protected abstract SqlDialect Dialect { get; }

    private async Task<ReadModelHarness> StartAsync() => await ReadModelHarness.StartAsync(await ReadModelHarness.NewTargetAsync(Dialect));

    private static EventMetadata At(DateTimeOffset at) => EventMetadata.New("u1") with { Timestamp = at };

    private static string Hash(string secret) =>
        System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)));

    private static async Task StartSessionAsync(ReadModelHarness h, string tenant = "acme", string sid = Sid) =>
        await h.AppendAsync(tenant, $"session-{tenant}-{sid}", At(T0), new SessionStarted(sid, "u1", ["pwd", "otp"], Later,
            "203.0.113.1", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", Hash(Secret), "urn:koderid:acr:mfa", T0.AddSeconds(-5)));

    [Fact]
    public async Task a_cookie_secret_validates_only_against_its_own_active_session_of_its_tenant()
    {
        await using var h = await StartAsync();
        var sessions = new SessionDirectory(h.ReadModels);
        await StartSessionAsync(h);

        var view = await sessions.ValidateAsync("acme", Sid, Secret, T0.AddMinutes(1));
        Assert.Equal(("urn:koderid:acr:mfa", T0.AddSeconds(-5), "Firefox on Linux"), (view!.Acr, view.AuthTime, view.Device));
        Assert.Null(await sessions.ValidateAsync("acme", Sid, Secret + "x", T0.AddMinutes(1)));
        Assert.Null(await sessions.ValidateAsync("globex", Sid, Secret, T0.AddMinutes(1)));
        Assert.Null(await sessions.ValidateAsync("acme", Sid, Secret, Later));
        Assert.NotNull(await sessions.GetActiveAsync("acme", Sid, T0));

        await h.AppendAsync("acme", $"session-acme-{Sid}", new SessionRevoked(Sid, "u1", "logout"));
        Assert.Null(await sessions.ValidateAsync("acme", Sid, Secret, T0.AddMinutes(1)));
        Assert.Null(await sessions.GetActiveAsync("acme", Sid, T0));
    }

    [Fact]
    public async Task last_used_moves_with_code_redemptions_and_rotations_and_never_backwards()
    {
        await using var h = await StartAsync();
        var sessions = new SessionDirectory(h.ReadModels);
        await StartSessionAsync(h);
        Assert.Equal(T0, (await sessions.GetAsync("acme", Sid))!.LastUsedAt);

        await h.AppendAsync("acme", "code-acme-c1", At(T0.AddMinutes(5)), new AuthorizationCodeRedeemed("c1", "web-app", Sid, "u1", Family));
        Assert.Equal(T0.AddMinutes(5), (await sessions.GetAsync("acme", Sid))!.LastUsedAt);

        await h.AppendAsync("acme", $"refresh-acme-{Family}", At(T0.AddMinutes(30)), new RefreshTokenRotated(Family, Sid, "u1", 2, Hash("g2")));
        await h.AppendAsync("acme", "code-acme-c0", At(T0.AddMinutes(1)), new AuthorizationCodeRedeemed("c0", "web-app", Sid, "u1"));
        Assert.Equal(T0.AddMinutes(30), (await sessions.GetAsync("acme", Sid))!.LastUsedAt);
    }

    [Fact]
    public async Task a_family_is_active_until_revoked_expired_or_its_session_is_revoked()
    {
        await using var h = await StartAsync();
        var families = new RefreshFamilyDirectory(h.ReadModels);
        await StartSessionAsync(h);
        await h.AppendAsync("acme", $"refresh-acme-{Family}", At(T0), new RefreshFamilyStarted(Family, Sid, "web-app", "u1", "openid offline_access", T0, ["pwd"], Hash("g1"), T0.AddDays(30)));
        await h.AppendAsync("acme", "refresh-acme-f2", At(T0), new RefreshFamilyStarted("f2", Sid, "web-app", "u1", "openid", T0, ["pwd"], Hash("h1"), T0.AddDays(30)));
        await h.AppendAsync("acme", "refresh-acme-f2", At(T0.AddMinutes(2)), new RefreshTokenRotated("f2", Sid, "u1", 2, Hash("h2")));

        var active = await families.GetActiveAsync("acme", "f2", T0.AddMinutes(3));
        Assert.Equal((Sid, 2L, T0.AddMinutes(2)), (active!.SessionId, active.Generation, active.LastUsedAt));
        Assert.Null(await families.GetActiveAsync("globex", "f2", T0));
        Assert.Null(await families.GetActiveAsync("acme", "f2", T0.AddDays(30)));
        Assert.Equal(2, (await families.ListActiveForSessionAsync("acme", Sid, T0)).Count);

        await h.AppendAsync("acme", "refresh-acme-f2", new RefreshTokenReuseDetected("f2", Sid, "u1", 1, 2), new RefreshFamilyRevoked("f2", Sid, "u1", "reuse-detected"));
        Assert.Equal("reuse-detected", (await families.GetAsync("acme", "f2"))!.RevokeReason);
        Assert.Null(await families.GetActiveAsync("acme", "f2", T0));

        await h.AppendAsync("acme", $"session-acme-{Sid}", new SessionRevoked(Sid, "u1", "admin"));
        Assert.Equal("session-revoked", (await families.GetAsync("acme", Family))!.RevokeReason);
        Assert.Equal("reuse-detected", (await families.GetAsync("acme", "f2"))!.RevokeReason);
        Assert.Empty(await families.ListActiveForSessionAsync("acme", Sid, T0));
    }

    [Fact]
    public async Task the_sessions_and_families_models_rebuild_to_what_was_built_inline()
    {
        await using var h = await StartAsync();
        await StartSessionAsync(h);
        await StartSessionAsync(h, "globex");
        await h.AppendAsync("acme", $"refresh-acme-{Family}", At(T0), new RefreshFamilyStarted(Family, Sid, "web-app", "u1", "openid", T0, ["pwd"], Hash("g1"), T0.AddDays(30), "urn:koderid:acr:pwd"));
        await h.AppendAsync("acme", $"refresh-acme-{Family}", At(T0.AddMinutes(1)), new RefreshTokenRotated(Family, Sid, "u1", 2, Hash("g2")));
        await h.AppendAsync("acme", $"session-acme-{Sid}", At(T0.AddMinutes(2)), new SessionRevoked(Sid, "u1", "logout"));

        foreach (var name in new[] { SessionsProjection.ProjectionName, RefreshFamiliesProjection.ProjectionName })
        {
            var projection = h.Projection(name);
            var incremental = await h.SnapshotAsync(projection);
            await h.Manager.RebuildAsync(name);
            Assert.Equal(incremental, await h.SnapshotAsync(projection));
        }
    }
}
