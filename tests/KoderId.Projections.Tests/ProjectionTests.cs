using KoderId.Events.Groups;
using KoderId.Events.Roles;
using KoderId.Events.Sessions;
using KoderId.Events.Tenants;
using KoderId.Events.Users;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Storage;
using KoderId.Projections.Audit;
using KoderId.Projections.Groups;
using KoderId.Projections.Roles;
using KoderId.Projections.Sessions;
using KoderId.Projections.Tenants;
using KoderId.Projections.Users;

namespace KoderId.Projections.Tests;

/// <summary>The read models on the embedded driver.</summary>
public sealed class SqliteProjectionTests : ProjectionTests
{
    protected override SqlDialect Dialect => SqlDialect.Sqlite;
}

/// <summary>The same read models, the same SQL, on PostgreSQL (writes batched per round trip there).</summary>
public sealed class PostgresProjectionTests : ProjectionTests
{
    protected override SqlDialect Dialect => SqlDialect.Postgres;
}

public abstract class ProjectionTests
{
    protected abstract SqlDialect Dialect { get; }

    private async Task<ReadModelHarness> StartAsync(IReadOnlyList<IProjection>? projections = null) =>
        await ReadModelHarness.StartAsync(await ReadModelHarness.NewTargetAsync(Dialect), projections);

    private static readonly DateTimeOffset Later = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void the_catalogue_lists_every_read_model_with_inline_models_for_the_sign_in_path_and_audit_async()
    {
        var all = ProjectionCatalog.All();

        Assert.Equal(["tenants", "users", "sessions", "refresh_families", "revoked_access_tokens", "consents", "groups", "roles", "api_keys", "clients", "signing_keys", "passkeys", "audit"], all.Select(p => p.Name));
        Assert.All(all.Where(p => p.Name != "audit"), p => Assert.Equal(ProjectionLifecycle.Inline, p.Lifecycle));
        Assert.Equal(ProjectionLifecycle.Async, all.Single(p => p.Name == "audit").Lifecycle);
        Assert.Null(all.Single(p => p.Name == "audit").HandledTypes);
        Assert.Equal(all.Sum(p => p.Tables.Count), all.SelectMany(p => p.Tables).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task tenant_settings_are_projected_whole_and_read_through_a_cache_that_invalidates_and_expires()
    {
        await using var h = await StartAsync();
        var clock = new SteppedTime();
        var directory = new TenantSettingsDirectory(h.ReadModels, clock);
        await h.AppendAsync("acme", "tenant-acme", new TenantCreated("acme", "ACME"));
        Assert.Equal(TenantSettings.Default, await directory.GetAsync("acme"));
        Assert.Equal(TenantSettings.Default, await directory.GetAsync("nosuch"));

        var strict = TenantSettings.Default with { Password = PasswordSettings.Default with { MinLength = 20, Hashing = new Argon2idSettings(65_536, 3, 1) } };
        await h.AppendAsync("acme", "tenant-acme", new TenantSettingsChanged("acme", strict));
        Assert.Equal(strict, (await new TenantDirectory(h.ReadModels).GetAsync("acme"))!.Settings);

        // Cached until invalidated (a change through this node) or until the time to live passes (another node).
        Assert.Equal(TenantSettings.Default, await directory.GetAsync("acme"));
        directory.Invalidate("acme");
        Assert.Equal(strict, await directory.GetAsync("acme"));

        var relaxed = strict with { Tokens = strict.Tokens with { AccessTokenSeconds = 300 } };
        await h.AppendAsync("acme", "tenant-acme", new TenantSettingsChanged("acme", relaxed));
        Assert.Equal(strict, await directory.GetAsync("acme"));
        clock.Advance(TenantSettingsDirectory.TimeToLive + TimeSpan.FromSeconds(1));
        Assert.Equal(relaxed, await directory.GetAsync("acme"));
    }

    private sealed class SteppedTime : TimeProvider
    {
        private long _ticks = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    [Fact]
    public async Task inline_models_are_readable_as_soon_as_the_append_returns()
    {
        await using var h = await StartAsync();

        await h.AppendAsync("acme", "tenant-acme", new TenantCreated("acme", "ACME"), new TenantDomainAdded("acme", "Login.ACME.example", Verified: true, Primary: true));
        await h.AppendAsync("acme", "user-u1", new UserCreated("u1", "Alice", "Alice@Example.com", EmailVerified: true, GivenName: "Alice"));
        await h.AppendAsync("acme", "session-s1", new SessionStarted("s1", "u1", ["pwd", "otp"], Later, "203.0.113.7", "Firefox"));

        var user = await new UserDirectory(h.ReadModels).FindByUsernameAsync("acme", "alice");
        Assert.NotNull(user);
        Assert.Equal(("u1", "Alice", "Alice@Example.com", true, "Alice", UserStatus.Active, 1L), (user.UserId, user.Username, user.Email, user.EmailVerified, user.GivenName, user.Status, user.Version));
        Assert.Equal("u1", Assert.Single(await new UserDirectory(h.ReadModels).FindByEmailAsync("acme", "alice@example.com")).UserId);

        var tenant = await new TenantDirectory(h.ReadModels).GetAsync("acme");
        Assert.NotNull(tenant);
        Assert.Equal(("ACME", TenantStatus.Active, 2L), (tenant.Name, tenant.Status, tenant.Version));
        Assert.Equal("login.acme.example", Assert.Single(tenant.Domains).Domain);
        Assert.Equal("acme", await new TenantDirectory(h.ReadModels).FindByDomainAsync("LOGIN.acme.example."));

        var session = await new SessionDirectory(h.ReadModels).GetAsync("acme", "s1");
        Assert.NotNull(session);
        Assert.Equal(["pwd", "otp"], session.AuthMethods);
        Assert.Equal("203.0.113.7", session.ClientIp);
        Assert.True(session.IsActiveAt(DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task the_users_model_follows_a_users_life_to_erasure()
    {
        await using var h = await StartAsync();
        var users = new UserDirectory(h.ReadModels);
        await h.AppendAsync("acme", "user-u1", new UserCreated("u1", "alice", "alice@example.com", EmailVerified: false, Phone: "+15555550100"));
        await h.AppendRawAsync("acme", "user-u1", "user.profile-updated.v1", """{"userId":"u1","name":"Alice Liddell","locale":"en"}""");

        var afterV1 = await users.GetAsync("acme", "u1");
        Assert.Equal(("Alice Liddell", "en", (string?)null, 2L), (afterV1!.DisplayName, afterV1.PreferredLanguage, afterV1.Phone, afterV1.Version));

        await h.AppendAsync("acme", "user-u1", new UserEmailChanged("u1", "alice@example.org", EmailVerified: true), new UserDisabled("u1"));
        Assert.Equal(("alice@example.org", true, UserStatus.Disabled), ((await users.GetAsync("acme", "u1"))!.Email, (await users.GetAsync("acme", "u1"))!.EmailVerified, (await users.GetAsync("acme", "u1"))!.Status));

        await h.AppendAsync("acme", "user-u1", new UserDeleted("u1"));
        Assert.Null(await users.FindByUsernameAsync("acme", "alice"));
        Assert.Equal(UserStatus.Deleted, (await users.GetAsync("acme", "u1"))!.Status);

        await h.AppendAsync("acme", "user-u1", new UserErased("u1"));
        await h.Keys.EraseAsync("acme", "u1");
        var erased = await users.GetAsync("acme", "u1");
        Assert.Equal((UserStatus.Erased, (string?)null, (string?)null, (string?)null, 6L), (erased!.Status, erased.Username, erased.Email, erased.DisplayName, erased.Version));
    }

    [Fact]
    public async Task a_restored_user_is_live_again_or_disabled_as_it_was()
    {
        await using var h = await StartAsync();
        var users = new UserDirectory(h.ReadModels);
        await h.AppendAsync("acme", "user-u1", new UserCreated("u1", "alice", null, EmailVerified: false), new UserDeleted("u1"), new UserRestored("u1", Disabled: false));
        await h.AppendAsync("acme", "user-u2", new UserCreated("u2", "bob", null, EmailVerified: false), new UserDisabled("u2"), new UserDeleted("u2"), new UserRestored("u2", Disabled: true));

        Assert.Equal("u1", (await users.FindByUsernameAsync("acme", "alice"))?.UserId);
        Assert.Equal((UserStatus.Active, 3L), ((await users.GetAsync("acme", "u1"))!.Status, (await users.GetAsync("acme", "u1"))!.Version));
        Assert.Equal(UserStatus.Disabled, (await users.GetAsync("acme", "u2"))!.Status);
    }

    [Fact]
    public async Task effective_roles_are_the_direct_roles_and_those_of_the_users_groups_each_once()
    {
        await using var h = await StartAsync();
        var roles = new RoleDirectory(h.ReadModels);
        await h.AppendAsync("acme", "role-admin", new RoleCreated("admin", "Admin"), new RoleAssignedToUser("admin", "u1"));
        await h.AppendAsync("acme", "role-billing", new RoleCreated("billing", "billing"));
        await h.AppendAsync("acme", "role-viewer", new RoleCreated("viewer", "Viewer"), new RoleAssignedToUser("viewer", "u1"));
        await h.AppendAsync("acme", "group-eng", new GroupCreated("eng", "Engineering"), new GroupMemberAdded("eng", "u1"), new GroupMemberAdded("eng", "u2"));
        await h.AppendAsync("acme", "role-billing", new RoleAssignedToGroup("billing", "eng"));
        await h.AppendAsync("acme", "role-viewer", new RoleAssignedToGroup("viewer", "eng"));

        Assert.Equal(["Admin", "billing", "Viewer"], (await roles.EffectiveRolesAsync("acme", "u1")).Select(r => r.Name));
        Assert.Equal(["billing", "Viewer"], (await roles.EffectiveRolesAsync("acme", "u2")).Select(r => r.Name));
        Assert.Equal(["Admin", "Viewer"], (await roles.DirectRolesAsync("acme", "u1")).Select(r => r.Name));
        Assert.Equal(["u1", "u2"], await new GroupDirectory(h.ReadModels).MembersAsync("acme", "eng"));
        Assert.Equal((3L, "Engineering"), ((await new GroupDirectory(h.ReadModels).GetAsync("acme", "eng"))!.Version, (await new GroupDirectory(h.ReadModels).FindByNameAsync("acme", "ENGINEERING"))!.Name));
        Assert.Empty(await roles.EffectiveRolesAsync("acme", "u3"));
    }

    [Fact]
    public async Task removing_a_member_an_assignment_or_the_role_takes_the_role_away()
    {
        await using var h = await StartAsync();
        var roles = new RoleDirectory(h.ReadModels);
        await h.AppendAsync("acme", "group-eng", new GroupCreated("eng", "Engineering"), new GroupMemberAdded("eng", "u1"), new GroupMemberAdded("eng", "u2"));
        await h.AppendAsync("acme", "role-dev", new RoleCreated("dev", "dev"), new RoleAssignedToGroup("dev", "eng"), new RoleAssignedToUser("dev", "u2"));
        await h.AppendAsync("acme", "role-ops", new RoleCreated("ops", "ops"), new RoleAssignedToUser("ops", "u1"));

        await h.AppendAsync("acme", "group-eng", new GroupMemberRemoved("eng", "u1"));
        Assert.Equal(["ops"], (await roles.EffectiveRolesAsync("acme", "u1")).Select(r => r.Name));
        Assert.Equal(["dev"], (await roles.EffectiveRolesAsync("acme", "u2")).Select(r => r.Name));

        await h.AppendAsync("acme", "role-ops", new RoleUnassignedFromUser("ops", "u1"));
        Assert.Empty(await roles.EffectiveRolesAsync("acme", "u1"));

        await h.AppendAsync("acme", "role-dev", new RoleDeleted("dev"));
        Assert.Empty(await roles.EffectiveRolesAsync("acme", "u2"));
        Assert.Null(await roles.GetAsync("acme", "dev"));
    }

    [Fact]
    public async Task deleting_a_group_removes_what_its_members_had_through_it()
    {
        await using var h = await StartAsync();
        var roles = new RoleDirectory(h.ReadModels);
        await h.AppendAsync("acme", "group-eng", new GroupCreated("eng", "Engineering"), new GroupMemberAdded("eng", "u1"));
        await h.AppendAsync("acme", "group-ops", new GroupCreated("ops", "Operations"), new GroupMemberAdded("ops", "u1"));
        await h.AppendAsync("acme", "role-dev", new RoleCreated("dev", "dev"), new RoleAssignedToGroup("dev", "eng"), new RoleAssignedToGroup("dev", "ops"));
        await h.AppendAsync("acme", "role-deploy", new RoleCreated("deploy", "deploy"), new RoleAssignedToGroup("deploy", "eng"));

        await h.AppendAsync("acme", "group-eng", new GroupDeleted("eng"));

        Assert.Equal(["dev"], (await roles.EffectiveRolesAsync("acme", "u1")).Select(r => r.Name));
        Assert.Empty(await roles.GroupRolesAsync("acme", "eng"));
        Assert.Null(await new GroupDirectory(h.ReadModels).GetAsync("acme", "eng"));
        Assert.Equal(["Operations"], (await new GroupDirectory(h.ReadModels).GroupsOfUserAsync("acme", "u1")).Select(g => g.Name));
    }

    [Fact]
    public async Task effective_roles_never_cross_tenants()
    {
        await using var h = await StartAsync();
        var roles = new RoleDirectory(h.ReadModels);
        await h.AppendAsync("acme", "role-acme-admin", new RoleCreated("admin", "admin"), new RoleAssignedToUser("admin", "u1"), new RoleAssignedToGroup("admin", "g1"));
        await h.AppendAsync("acme", "group-acme-g1", new GroupCreated("g1", "g1"), new GroupMemberAdded("g1", "u2"));
        await h.AppendAsync("globex", "group-globex-g1", new GroupCreated("g1", "g1"), new GroupMemberAdded("g1", "u1"), new GroupMemberAdded("g1", "u2"));
        await h.AppendAsync("globex", "role-globex-admin", new RoleCreated("admin", "admin"));

        Assert.Equal(["admin"], (await roles.EffectiveRolesAsync("acme", "u1")).Select(r => r.Name));
        Assert.Equal(["admin"], (await roles.EffectiveRolesAsync("acme", "u2")).Select(r => r.Name));
        Assert.Empty(await roles.EffectiveRolesAsync("globex", "u1"));
        Assert.Empty(await roles.EffectiveRolesAsync("globex", "u2"));
        Assert.All(await roles.ListAsync("acme"), r => Assert.Equal("acme", r.TenantId));
        Assert.Single(await new GroupDirectory(h.ReadModels).ListAsync("globex"));
    }

    [Fact]
    public async Task a_rebuild_from_the_log_equals_the_models_built_incrementally()
    {
        await using var h = await StartAsync();
        var scenario = new Scenario(h);
        await scenario.PlayAsync();
        Assert.InRange(scenario.Events, 300, 1000);
        Assert.NotEmpty(scenario.Erased);
        Assert.NotEmpty(scenario.Deleted);
        await h.Daemon.CatchUpAsync(h.Projection("audit"));

        foreach (var projection in h.Projections)
        {
            var incremental = await h.SnapshotAsync(projection);
            Assert.NotEmpty(incremental);

            var result = await h.Manager.RebuildAsync(projection.Name);

            Assert.Equal(scenario.Events, result.Events);
            Assert.Equal(incremental, await h.SnapshotAsync(projection));
        }

        foreach (var (tenant, user) in scenario.Erased)
        {
            var row = await new UserDirectory(h.ReadModels).GetAsync(tenant, user);
            Assert.Equal((UserStatus.Erased, (string?)null, (string?)null), (row!.Status, row.Username, row.Email));
        }

        var names = await h.TableNamesAsync();
        Assert.DoesNotContain(names, n => n.Contains("__rb", StringComparison.Ordinal));
    }

    [Fact]
    public async Task the_async_audit_model_catches_up_with_the_log_and_equals_its_rebuild()
    {
        await using var h = await StartAsync();
        var scenario = new Scenario(h, seed: 7);
        await scenario.PlayAsync(usersPerTenant: 10, rounds: 4);
        var audit = h.Projection("audit");
        Assert.Equal(0, await h.CountAsync("audit_v1"));

        var applied = await h.Daemon.CatchUpAsync(audit);

        Assert.Equal(scenario.Events, applied);
        Assert.Equal(scenario.Events, await h.CountAsync("audit_v1"));
        var caughtUp = await h.SnapshotAsync(audit);
        await h.Manager.RebuildAsync(audit);
        Assert.Equal(caughtUp, await h.SnapshotAsync(audit));
        Assert.Equal(0, await h.Daemon.CatchUpAsync(audit));
    }

    [Fact]
    public async Task the_audit_model_answers_who_did_what_to_whom_from_where()
    {
        await using var h = await StartAsync();
        var byAdmin = new EventMetadata { Actor = "admin-1", ClientIp = "198.51.100.9", UserAgent = "curl/8", CorrelationId = "req-1" };
        await h.AppendAsync("acme", "user-u1", byAdmin, new UserCreated("u1", "alice", null, false));
        await h.AppendAsync("acme", "user-u2", byAdmin, new UserCreated("u2", "bob", null, false), new UserDisabled("u2"));
        await h.AppendAsync("acme", "session-s1", EventMetadata.New("u1"), new SessionStarted("s1", "u1", ["pwd"], Later));
        await h.AppendRawAsync("acme", "misc-1", "thing.happened.v9", """{"x":1}""", EventMetadata.New("robot"));
        await h.Daemon.CatchUpAsync(h.Projection("audit"));
        var log = new AuditLog(h.ReadModels);

        var aboutAlice = await log.SearchAsync("acme", new AuditQuery { Subject = "u1" });
        Assert.Equal(["user.created.v1", "session.started.v1"], aboutAlice.Select(e => e.EventType));

        var byAdminEntries = await log.SearchAsync("acme", new AuditQuery { Actor = "admin-1" });
        Assert.Equal(3, byAdminEntries.Count);
        Assert.All(byAdminEntries, e => Assert.Equal(("198.51.100.9", "curl/8", "req-1"), (e.ClientIp, e.UserAgent, e.CorrelationId)));

        var disabled = Assert.Single(await log.SearchAsync("acme", new AuditQuery { EventType = "user.disabled.v1" }));
        Assert.Equal(("u2", "user-u2", 2L), (disabled.Subject, disabled.StreamId, disabled.StreamVersion));

        var unknown = Assert.Single(await log.SearchAsync("acme", new AuditQuery { Actor = "robot" }));
        Assert.Equal(("thing.happened.v9", (string?)null), (unknown.EventType, unknown.Subject));

        var page = await log.SearchAsync("acme", new AuditQuery { Limit = 2 });
        var next = await log.SearchAsync("acme", new AuditQuery { AfterPosition = page[^1].Position, Limit = 10 });
        Assert.Equal(5, page.Count + next.Count);
        Assert.Empty(await log.SearchAsync("acme", new AuditQuery { From = DateTimeOffset.UtcNow.AddHours(1) }));
        Assert.Equal(5, (await log.SearchAsync("acme", new AuditQuery { From = DateTimeOffset.UtcNow.AddHours(-1), To = DateTimeOffset.UtcNow.AddHours(1) })).Count);
    }

    [Fact]
    public async Task bumping_a_projections_version_builds_the_new_table_and_drops_the_old_one()
    {
        var target = await ReadModelHarness.NewTargetAsync(Dialect, owned: false);
        try
        {
            await using (var v1 = await ReadModelHarness.StartAsync(target))
            {
                await v1.AppendAsync("acme", "user-u1", new UserCreated("u1", "alice", "alice@example.com", true));
                await v1.AppendAsync("acme", "user-u2", new UserCreated("u2", "bob", "bob@example.com", false), new UserEmailChanged("u2", "bob@example.org", true));
                Assert.Contains("users_v1", await v1.TableNamesAsync());
            }

            IReadOnlyList<IProjection> bumped = [.. ProjectionCatalog.All().Where(p => p.Name != "users"), new UsersProjection(version: 2)];
            await using var v2 = await ReadModelHarness.StartAsync(target with { Owned = true }, bumped);

            var tables = await v2.TableNamesAsync();
            Assert.Contains("users_v2", tables);
            Assert.DoesNotContain("users_v1", tables);
            var status = (await v2.Manager.ListAsync()).Single(s => s.Name == "users");
            Assert.Equal((2, (int?)2, 3L, 0L), (status.Version, status.BuiltVersion, status.Position, status.Lag));
            Assert.Equal(["users_v2"], status.Tables);

            var users = new UserDirectory(v2.ReadModels, version: 2);
            Assert.Equal("bob@example.org", (await users.GetAsync("acme", "u2"))!.Email);
            await v2.AppendAsync("acme", "user-u3", new UserCreated("u3", "carol", null, false));
            Assert.Equal("u3", (await users.FindByUsernameAsync("acme", "carol"))!.UserId);
        }
        finally
        {
            if (Dialect == SqlDialect.Sqlite && Directory.Exists(target.Location))
            {
                Directory.Delete(target.Location, recursive: true);
            }
        }
    }

    [Fact]
    public async Task the_projection_list_reports_positions_and_lag()
    {
        await using var h = await StartAsync();
        var before = await h.Manager.ListAsync();
        Assert.All(before, s => Assert.Equal((0L, 0L, true), (s.Position, s.Head, s.IsCurrent)));

        await h.AppendAsync("acme", "user-u1", new UserCreated("u1", "alice", null, false), new UserDisabled("u1"));
        await h.AppendAsync("acme", "user-u2", new UserCreated("u2", "bob", null, false));

        var after = await h.Manager.ListAsync();
        Assert.All(after.Where(s => s.Lifecycle == ProjectionLifecycle.Inline), s => Assert.Equal((3L, 3L, 0L, true), (s.Position, s.Head, s.Lag, s.IsCurrent)));
        var audit = after.Single(s => s.Name == "audit");
        Assert.Equal((0L, 3L, 3L, false), (audit.Position, audit.Head, audit.Lag, audit.IsCurrent));
        Assert.True(await h.Manager.InlineProjectionsCurrentAsync());

        await h.Daemon.CatchUpAsync(h.Projection("audit"));
        audit = (await h.Manager.ListAsync()).Single(s => s.Name == "audit");
        Assert.Equal((3L, 0L, true, (int?)1), (audit.Position, audit.Lag, audit.IsCurrent, audit.BuiltVersion));
        Assert.Equal(["audit_v1"], audit.Tables);
    }

    [Fact]
    public async Task a_failing_inline_projection_fails_the_append_and_leaves_no_event_and_no_read_model_row()
    {
        IReadOnlyList<IProjection> projections = [.. ProjectionCatalog.All(), new ExplodingProjection()];
        await using var h = await StartAsync(projections);
        await h.AppendAsync("acme", "user-u1", new UserCreated("u1", "alice", null, false));
        var headBefore = await h.Store.ReadHeadAsync();
        var statesBefore = await h.Manager.ListAsync();

        // The first event is projected by users (and by the exploding model) before the second one throws.
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            h.AppendAsync("acme", "user-u2", new UserCreated("u2", "carol", null, false), new UserDisabled("u2", ExplodingProjection.Trigger)));

        Assert.Equal(headBefore.Position, (await h.Store.ReadHeadAsync()).Position);
        Assert.Equal(0, await h.Store.GetStreamVersionAsync("acme", "user-u2"));
        Assert.Equal(1, await h.Store.ReadAllAsync(0).CountAsync());
        Assert.Null(await new UserDirectory(h.ReadModels).GetAsync("acme", "u2"));
        Assert.Equal(1, await h.CountAsync("exploding_v1"));
        Assert.Equal(statesBefore.Select(s => s.Position), (await h.Manager.ListAsync()).Select(s => s.Position));

        // The store is still healthy: the next append takes the next position and is projected.
        var next = await h.AppendAsync("acme", "user-u3", new UserCreated("u3", "dave", null, false));
        Assert.Equal(headBefore.Position + 1, next.FirstPosition);
        Assert.NotNull(await new UserDirectory(h.ReadModels).GetAsync("acme", "u3"));
    }

    [Fact]
    public async Task a_query_for_one_tenant_never_returns_another_tenants_rows()
    {
        await using var h = await StartAsync();
        await h.AppendAsync("acme", "tenant-acme", new TenantCreated("acme", "ACME"), new TenantDomainAdded("acme", "login.acme.example", true, true));
        await h.AppendAsync("acme", "user-a1", new UserCreated("a1", "alice", "alice@example.com", true));
        await h.AppendAsync("acme", "session-sa", new SessionStarted("sa", "a1", ["pwd"], Later));
        await h.AppendAsync("globex", "user-b1", new UserCreated("b1", "alice", "alice@example.com", true));
        await h.Daemon.CatchUpAsync(h.Projection("audit"));
        var users = new UserDirectory(h.ReadModels);
        var sessions = new SessionDirectory(h.ReadModels);

        Assert.Null(await users.GetAsync("globex", "a1"));
        Assert.Equal("a1", (await users.FindByUsernameAsync("acme", "alice"))!.UserId);
        Assert.Equal("b1", (await users.FindByUsernameAsync("globex", "alice"))!.UserId);
        Assert.Equal(["b1"], (await users.FindByEmailAsync("globex", "alice@example.com")).Select(u => u.UserId));
        Assert.Equal(["b1"], (await users.ListAsync("globex")).Select(u => u.UserId));
        Assert.Null(await sessions.GetAsync("globex", "sa"));
        Assert.Empty(await sessions.ListActiveForUserAsync("globex", "a1", DateTimeOffset.UtcNow));
        Assert.Single(await sessions.ListActiveForUserAsync("acme", "a1", DateTimeOffset.UtcNow));
        Assert.Null(await new TenantDirectory(h.ReadModels).GetAsync("globex"));
        Assert.All(await new AuditLog(h.ReadModels).SearchAsync("globex", new AuditQuery()), e => Assert.Equal("globex", e.TenantId));
        Assert.Empty(await new AuditLog(h.ReadModels).SearchAsync("globex", new AuditQuery { Subject = "a1" }));
    }

    [Fact]
    public async Task revoking_and_erasing_show_in_the_sessions_model()
    {
        await using var h = await StartAsync();
        var sessions = new SessionDirectory(h.ReadModels);
        await h.AppendAsync("acme", "session-s1", new SessionStarted("s1", "u1", ["pwd"], Later, "203.0.113.1", "Firefox"));
        await h.AppendAsync("acme", "session-s2", new SessionStarted("s2", "u1", ["pwd"], Later, "203.0.113.2", "Chrome"));
        await h.AppendAsync("acme", "session-s1", new SessionRevoked("s1", "u1", "logout"));

        Assert.Equal(["s2"], (await sessions.ListActiveForUserAsync("acme", "u1", DateTimeOffset.UtcNow)).Select(s => s.SessionId));
        Assert.Equal(("logout", false), ((await sessions.GetAsync("acme", "s1"))!.RevokeReason, (await sessions.GetAsync("acme", "s1"))!.IsActiveAt(DateTimeOffset.UtcNow)));

        await h.AppendAsync("acme", "user-u1", new UserErased("u1"));
        var s2 = await sessions.GetAsync("acme", "s2");
        Assert.Equal(((string?)null, (string?)null), (s2!.ClientIp, s2.UserAgent));
    }

    /// <summary>An inline model that records user creations and throws on a marked event, after others have written.</summary>
    private sealed class ExplodingProjection : SqlProjection
    {
        public const string Trigger = "explode";

        public ExplodingProjection()
            : base("exploding", 1, ProjectionLifecycle.Inline, "exploding")
        {
            On<UserCreated>((ctx, e, s, ct) => ctx.ExecuteAsync($"INSERT INTO {ctx.Table("exploding")} (tenant_id, user_id) VALUES (@t, @u)", ct, ("@t", s.TenantId), ("@u", e.UserId)));
            On<UserDisabled>((ctx, e, s, ct) => e.Reason == Trigger ? throw new InvalidOperationException("projection failed") : Task.FromResult(0));
        }

        public override Task CreateAsync(ProjectionContext context, CancellationToken ct) =>
            context.ExecuteAsync($"CREATE TABLE {context.Table("exploding")} (tenant_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (tenant_id, user_id))", ct);
    }
}
