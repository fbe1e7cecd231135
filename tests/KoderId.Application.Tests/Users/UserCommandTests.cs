using KoderId.Application.Common;
using KoderId.Application.Tenants;
using KoderId.Application.Users;
using KoderId.Domain;
using KoderId.Domain.Users;
using KoderId.Events.Users;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;

namespace KoderId.Application.Tests.Users;

public sealed class UserCommandTests : IAsyncLifetime
{
    private readonly WriteSide _app = new();

    public async Task InitializeAsync()
    {
        await _app.SendAsync(new CreateTenant("acme", "Acme"));
        await _app.SendAsync(new CreateTenant("globex", "Globex"));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task a_created_user_reads_back_from_its_stream()
    {
        var created = await _app.SendAsync(new CreateUser("acme", "Alice", "alice@example.com", EmailVerified: true,
            new UserProfile(GivenName: "Alice", PreferredLanguage: "en")));

        Assert.Equal(1, created.Version);
        var events = await _app.ReadStreamAsync("acme", StreamNames.User("acme", created.UserId));
        var e = Assert.IsType<UserCreated>(Assert.Single(events).Event);
        Assert.Equal(new UserCreated(created.UserId, "Alice", "alice@example.com", true, GivenName: "Alice", PreferredLanguage: "en"), e);
        Assert.StartsWith(PersonalData.EncryptedPrefix, System.Text.Json.Nodes.JsonNode.Parse(events[0].Stored.Data)!["username"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task fifty_concurrent_creations_of_one_username_leave_exactly_one_user()
    {
        var attempts = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            try
            {
                await _app.SendAsync(new CreateUser("acme", i % 2 == 0 ? "bob" : "BOB"));
                return "ok";
            }
            catch (DomainException ex)
            {
                return ex.Code;
            }
        }));

        var outcomes = await Task.WhenAll(attempts);

        Assert.Equal(1, outcomes.Count(o => o == "ok"));
        Assert.Equal(49, outcomes.Count(o => o == DomainErrors.UserExists));
        Assert.Single(await _app.ReadAllAsync(), e => e.EventType == "user.created.v1");
    }

    [Fact]
    public async Task an_email_held_by_another_user_is_refused()
    {
        await _app.SendAsync(new CreateUser("acme", "alice", "shared@example.com"));
        Assert.Equal(DomainErrors.UserEmailTaken, await _app.FailsWithAsync(new CreateUser("acme", "bob", "SHARED@example.com")));
        var bob = await _app.SendAsync(new CreateUser("acme", "bob"));
        Assert.Equal(DomainErrors.UserEmailTaken, await _app.FailsWithAsync(new ChangeUserEmail("acme", bob.UserId, "shared@example.com")));
    }

    [Fact]
    public async Task usernames_and_emails_are_unique_per_tenant_not_globally()
    {
        await _app.SendAsync(new CreateUser("acme", "alice", "alice@example.com"));
        await _app.SendAsync(new CreateUser("globex", "alice", "alice@example.com"));
    }

    [Fact]
    public async Task changing_email_releases_the_old_address_for_another_user()
    {
        var alice = await _app.SendAsync(new CreateUser("acme", "alice", "old@example.com", EmailVerified: true));
        var changed = await _app.SendAsync(new ChangeUserEmail("acme", alice.UserId, "new@example.com"));
        Assert.True(changed.Changed);

        await _app.SendAsync(new CreateUser("acme", "bob", "old@example.com"));
        Assert.Equal(DomainErrors.UserEmailTaken, await _app.FailsWithAsync(new CreateUser("acme", "carol", "new@example.com")));
        Assert.Equal($"user-acme-{alice.UserId}", await _app.Store.GetClaimOwnerAsync("acme", "email", "new@example.com"));
    }

    [Fact]
    public async Task a_changed_email_is_pending_until_verified()
    {
        var alice = await _app.SendAsync(new CreateUser("acme", "alice", "old@example.com", EmailVerified: true));
        await _app.SendAsync(new ChangeUserEmail("acme", alice.UserId, "new@example.com"));
        Assert.Equal(DomainErrors.UserEmailMismatch, await _app.FailsWithAsync(new VerifyUserEmail("acme", alice.UserId, "old@example.com")));
        var verified = await _app.SendAsync(new VerifyUserEmail("acme", alice.UserId, "new@example.com"));
        var again = await _app.SendAsync(new VerifyUserEmail("acme", alice.UserId, "new@example.com"));

        Assert.True(verified.Changed);
        Assert.False(again.Changed);
        Assert.Equal(verified.Version, again.Version);
        var events = await _app.ReadStreamAsync("acme", StreamNames.User("acme", alice.UserId));
        Assert.Equal(
            [new UserEmailChanged(alice.UserId, "new@example.com", false), new UserEmailVerified(alice.UserId, "new@example.com")],
            events.Skip(1).Select(e => e.Event));
    }

    [Fact]
    public async Task a_profile_patch_keeps_the_fields_it_does_not_name()
    {
        var alice = await _app.SendAsync(new CreateUser("acme", "alice", Profile: new UserProfile(GivenName: "Alice", FamilyName: "Smith")));
        await _app.SendAsync(new UpdateUserProfile("acme", alice.UserId, new UserProfilePatch(FamilyName: FieldChange.To("Liddell"), Phone: FieldChange.To("+1 555 010 9999"))));

        var last = (await _app.ReadStreamAsync("acme", StreamNames.User("acme", alice.UserId)))[^1].Event;
        Assert.Equal(new UserProfileUpdated(alice.UserId, "Alice", "Liddell", Phone: "+15550109999"), last);
    }

    [Fact]
    public async Task disabling_twice_appends_once()
    {
        var alice = await _app.SendAsync(new CreateUser("acme", "alice"));
        var first = await _app.SendAsync(new DisableUser("acme", alice.UserId, "left"));
        var second = await _app.SendAsync(new DisableUser("acme", alice.UserId));

        Assert.Equal((true, 2L), (first.Changed, first.Version));
        Assert.Equal((false, 2L), (second.Changed, second.Version));
        Assert.True((await _app.SendAsync(new EnableUser("acme", alice.UserId))).Changed);
    }

    [Fact]
    public async Task deleting_releases_the_username_and_restoring_claims_it_again()
    {
        var alice = await _app.SendAsync(new CreateUser("acme", "alice", "alice@example.com"));
        await _app.SendAsync(new DeleteUser("acme", alice.UserId));
        Assert.Null(await _app.Store.GetClaimOwnerAsync("acme", "username", "alice"));
        Assert.Equal(DomainErrors.UserDeleted, await _app.FailsWithAsync(new DisableUser("acme", alice.UserId)));

        var restored = await _app.SendAsync(new RestoreUser("acme", alice.UserId));

        Assert.True(restored.Changed);
        Assert.Equal($"user-acme-{alice.UserId}", await _app.Store.GetClaimOwnerAsync("acme", "username", "alice"));
        Assert.Equal($"user-acme-{alice.UserId}", await _app.Store.GetClaimOwnerAsync("acme", "email", "alice@example.com"));
    }

    [Fact]
    public async Task a_restore_is_refused_when_the_username_was_taken_meanwhile()
    {
        var alice = await _app.SendAsync(new CreateUser("acme", "alice"));
        await _app.SendAsync(new DeleteUser("acme", alice.UserId));
        await _app.SendAsync(new CreateUser("acme", "Alice"));

        Assert.Equal(DomainErrors.UserExists, await _app.FailsWithAsync(new RestoreUser("acme", alice.UserId)));
    }

    [Fact]
    public async Task erasing_a_user_reads_its_personal_fields_as_erased_and_the_hash_chain_still_verifies()
    {
        var alice = await _app.SendAsync(new CreateUser("acme", "alice", "alice@example.com", Profile: new UserProfile(GivenName: "Alice")));
        await _app.SendAsync(new UpdateUserProfile("acme", alice.UserId, new UserProfilePatch(DisplayName: FieldChange.To("Al"))));

        var erased = await _app.SendAsync(new EraseUser("acme", alice.UserId));

        Assert.True(erased.Changed);
        var events = await _app.ReadStreamAsync("acme", StreamNames.User("acme", alice.UserId));
        var created = Assert.IsType<UserCreated>(events[0].Event);
        Assert.Equal((PersonalData.Erased, PersonalData.Erased, PersonalData.Erased), (created.Username, created.Email, created.GivenName));
        Assert.Equal(PersonalData.Erased, Assert.IsType<UserProfileUpdated>(events[1].Event).DisplayName);
        Assert.IsType<UserErased>(events[^1].Event);
        Assert.True((await HashChainVerifier.VerifyAsync(_app.Store)).IsValid);
        Assert.Null(await _app.Keys.TryGetKeyAsync("acme", alice.UserId));

        // The username and email are free again, and the erased user refuses every write but erasure.
        await _app.SendAsync(new CreateUser("acme", "alice", "alice@example.com"));
        Assert.Equal(DomainErrors.UserErased, await _app.FailsWithAsync(new RestoreUser("acme", alice.UserId)));
        Assert.False((await _app.SendAsync(new EraseUser("acme", alice.UserId))).Changed);
    }

    [Fact]
    public async Task every_event_records_who_and_from_where()
    {
        var alice = await _app.SendAsync(new CreateUser("acme", "alice"), actor: "api-key:k1", ip: "198.51.100.4", userAgent: "koderid-cli/1.0");
        await _app.SendAsync(new DisableUser("acme", alice.UserId), actor: "user:acme/admin", ip: "2001:db8::1", userAgent: "Mozilla/5.0");

        var events = await _app.ReadStreamAsync("acme", StreamNames.User("acme", alice.UserId));
        var (first, second) = (events[0].Stored.Metadata, events[1].Stored.Metadata);
        Assert.Equal(("api-key:k1", "198.51.100.4", "koderid-cli/1.0"), (first.Actor, first.ClientIp, first.UserAgent));
        Assert.Equal(("user:acme/admin", "2001:db8::1", "Mozilla/5.0"), (second.Actor, second.ClientIp, second.UserAgent));
        Assert.False(string.IsNullOrEmpty(first.CorrelationId));
        Assert.NotEqual(first.CorrelationId, second.CorrelationId);
        Assert.NotEqual(first.EventId, second.EventId);
    }

    [Fact]
    public async Task a_user_of_tenant_a_is_not_found_in_tenant_b()
    {
        var alice = await _app.SendAsync(new CreateUser("acme", "alice", "alice@example.com"));

        Assert.Equal(DomainErrors.UserNotFound, await _app.FailsWithAsync(new DisableUser("globex", alice.UserId)));
        Assert.Equal(DomainErrors.UserNotFound, await _app.FailsWithAsync(new ChangeUserEmail("globex", alice.UserId, "x@example.com")));
        Assert.Equal(DomainErrors.UserNotFound, await _app.FailsWithAsync(new EraseUser("globex", alice.UserId)));
        Assert.Equal(DomainErrors.UserNotFound, await _app.FailsWithAsync(new DisableUser("acme", "no-such-user")));
        Assert.Equal(DomainErrors.UserNotFound, await _app.FailsWithAsync(new DisableUser("acme", "bad id/with slash")));
        Assert.NotNull(await _app.Keys.TryGetKeyAsync("acme", alice.UserId));
    }

    [Fact]
    public async Task a_stream_name_held_by_another_tenant_is_not_found_and_never_written()
    {
        // "user-ab-c-d1" is both tenant "ab-c" user "d1" and tenant "ab" user "c-d1": the store keeps them apart.
        await _app.SendAsync(new CreateTenant("ab-c", "ABC"));
        await _app.SendAsync(new CreateTenant("ab", "AB"));
        await _app.SendAsync(new CreateUser("ab-c", "carol", UserId: "d1"));

        Assert.Equal(DomainErrors.UserNotFound, await _app.FailsWithAsync(new DisableUser("ab", "c-d1")));
        Assert.Equal(DomainErrors.UserIdTaken, await _app.FailsWithAsync(new CreateUser("ab", "dave", UserId: "c-d1")));
        Assert.Single(await _app.ReadStreamAsync("ab-c", "user-ab-c-d1"));
    }

    [Fact]
    public async Task a_blocked_or_deleted_tenant_refuses_user_writes_but_honours_erasure()
    {
        var alice = await _app.SendAsync(new CreateUser("acme", "alice"));
        await _app.SendAsync(new BlockTenant("acme", "unpaid"));

        Assert.Equal(DomainErrors.TenantBlocked, await _app.FailsWithAsync(new CreateUser("acme", "bob")));
        Assert.Equal(DomainErrors.TenantBlocked, await _app.FailsWithAsync(new DisableUser("acme", alice.UserId)));
        Assert.True((await _app.SendAsync(new EraseUser("acme", alice.UserId))).Changed);

        await _app.SendAsync(new DeleteTenant("globex"));
        Assert.Equal(DomainErrors.TenantDeleted, await _app.FailsWithAsync(new CreateUser("globex", "bob")));
        Assert.Equal(DomainErrors.TenantNotFound, await _app.FailsWithAsync(new CreateUser("initech", "bob")));
        Assert.Equal(DomainErrors.TenantNotFound, await _app.FailsWithAsync(new CreateUser("NOT A TENANT", "bob")));
    }

    [Fact]
    public async Task invalid_input_is_refused_before_anything_is_written()
    {
        var before = (await _app.ReadAllAsync()).Count;

        Assert.Equal(DomainErrors.UserInvalidUsername, await _app.FailsWithAsync(new CreateUser("acme", "has space")));
        Assert.Equal(DomainErrors.UserInvalidEmail, await _app.FailsWithAsync(new CreateUser("acme", "alice", "not-an-email")));
        Assert.Equal(DomainErrors.UserInvalidId, await _app.FailsWithAsync(new CreateUser("acme", "alice", UserId: "../etc")));

        Assert.Equal(before, (await _app.ReadAllAsync()).Count);
    }

    [Fact]
    public async Task a_write_that_loses_a_race_is_decided_again_on_the_fresh_state()
    {
        var racer = new RacingStore();
        await using var app = new WriteSide(inner => racer.Wrap(inner));
        await app.SendAsync(new CreateTenant("acme", "Acme"));
        var alice = await app.SendAsync(new CreateUser("acme", "alice"));

        // Before our disable is appended, another node disables the user: the retry sees it and appends nothing.
        racer.Before = (store, ct) => AppendRawAsync(app, store, "acme", StreamNames.User("acme", alice.UserId), 1, new UserDisabled(alice.UserId, "other node"), ct);
        var result = await app.SendAsync(new DisableUser("acme", alice.UserId, "ours"));

        Assert.False(result.Changed);
        Assert.Equal(2, result.Version);
        var events = await app.ReadStreamAsync("acme", StreamNames.User("acme", alice.UserId));
        Assert.Equal(new UserDisabled(alice.UserId, "other node"), Assert.Single(events.Skip(1)).Event);
    }

    private static async Task AppendRawAsync(WriteSide app, IEventStore store, string tenant, string stream, long version, object e, CancellationToken ct)
    {
        var uncommitted = await app.Serializer.SerializeAsync(tenant, e, EventMetadata.New("other-node"), ct);
        await store.AppendAsync(new AppendRequest(tenant, stream, ExpectedVersion.At(version), [uncommitted]), ct);
    }

    /// <summary>Runs <see cref="Before"/> once, right before the next append reaches the store: a concurrent writer on another node.</summary>
    private sealed class RacingStore
    {
        public Func<IEventStore, CancellationToken, Task>? Before { get; set; }

        public IEventStore Wrap(IEventStore inner) => new Racing(inner, this);

        private sealed class Racing(IEventStore inner, RacingStore owner) : IEventStore
        {
            public async Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default)
            {
                if (owner.Before is { } before)
                {
                    owner.Before = null;
                    await before(inner, ct);
                }

                return await inner.AppendAsync(request, ct);
            }

            public IAsyncEnumerable<StoredEvent> ReadStreamAsync(string tenantId, string streamId, ReadDirection direction = ReadDirection.Forward, long fromVersion = 1, int maxCount = int.MaxValue, CancellationToken ct = default) =>
                inner.ReadStreamAsync(tenantId, streamId, direction, fromVersion, maxCount, ct);

            public IAsyncEnumerable<StoredEvent> ReadAllAsync(long afterPosition, int maxCount = int.MaxValue, CancellationToken ct = default) =>
                inner.ReadAllAsync(afterPosition, maxCount, ct);

            public Task<long> GetStreamVersionAsync(string tenantId, string streamId, CancellationToken ct = default) => inner.GetStreamVersionAsync(tenantId, streamId, ct);

            public Task<string?> GetClaimOwnerAsync(string tenantId, string scope, string value, CancellationToken ct = default) => inner.GetClaimOwnerAsync(tenantId, scope, value, ct);

            public Task<LogHead> ReadHeadAsync(CancellationToken ct = default) => inner.ReadHeadAsync(ct);

            public Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken ct = default) => inner.WaitForEventsAsync(afterPosition, timeout, ct);
        }
    }
}
