using System.Collections.Concurrent;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;
using KoderId.EventSourcing.Subscriptions;
using Xunit;

namespace KoderId.EventSourcing.Conformance;

/// <summary>
/// The behaviour every event-store driver must show. A driver enrols by deriving a class in its own test
/// project and returning a fresh harness. Written once; see docs/adr/0001-event-store.md.
/// </summary>
public abstract class EventStoreConformance : IAsyncLifetime
{
    protected const string TenantA = "tenant-a";
    protected const string TenantB = "tenant-b";

    private IStoreHarness? _harness;

    protected IStoreHarness Harness => _harness ?? throw new InvalidOperationException("Harness not created.");
    protected IEventStore Store => Harness.Store;
    protected EventSerializer Serializer => new(TestEvents.Registry(), Harness.Keys);

    protected abstract Task<IStoreHarness> CreateHarnessAsync();

    public async Task InitializeAsync() => _harness = await CreateHarnessAsync();

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }

    protected static UncommittedEvent Counter(string counterId, int by = 1, EventMetadata? metadata = null) =>
        new("conformance.counter-incremented.v1", $$"""{"counterId":"{{counterId}}","by":{{by}}}""", metadata ?? EventMetadata.New("test"));

    protected Task<AppendResult> AppendAsync(string tenant, string stream, ExpectedVersion expected, int count = 1, IReadOnlyList<UniqueClaim>? claims = null) =>
        Store.AppendAsync(new AppendRequest(tenant, stream, expected, Enumerable.Range(0, count).Select(_ => Counter(stream)).ToArray()) { Claims = claims ?? [] });

    protected async Task<List<StoredEvent>> ReadAllAsync(long after = 0)
    {
        var list = new List<StoredEvent>();
        await foreach (var e in Store.ReadAllAsync(after))
        {
            list.Add(e);
        }

        return list;
    }

    protected async Task<List<StoredEvent>> ReadStreamAsync(string tenant, string stream, ReadDirection direction = ReadDirection.Forward, long from = 1, int max = int.MaxValue)
    {
        var list = new List<StoredEvent>();
        await foreach (var e in Store.ReadStreamAsync(tenant, stream, direction, from, max))
        {
            list.Add(e);
        }

        return list;
    }

    // ---- appending and expected versions ----

    [Fact]
    public async Task appending_to_a_new_stream_returns_its_positions_and_version()
    {
        var first = await AppendAsync(TenantA, "counter-1", ExpectedVersion.NoStream, 3);
        var second = await AppendAsync(TenantA, "counter-2", ExpectedVersion.NoStream, 2);

        Assert.Equal((1, 3, 3), (first.FirstPosition, first.LastPosition, first.StreamVersion));
        Assert.Equal((4, 5, 2), (second.FirstPosition, second.LastPosition, second.StreamVersion));
        Assert.Equal(3, await Store.GetStreamVersionAsync(TenantA, "counter-1"));
        Assert.Equal(0, await Store.GetStreamVersionAsync(TenantA, "never-written"));
        Assert.Equal(5, (await Store.ReadHeadAsync()).Position);
    }

    [Fact]
    public async Task no_stream_is_rejected_once_the_stream_exists()
    {
        await AppendAsync(TenantA, "s", ExpectedVersion.NoStream);
        var ex = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => AppendAsync(TenantA, "s", ExpectedVersion.NoStream));
        Assert.Equal(1, ex.ActualVersion);
        Assert.Equal("KID3001", ex.Code);
    }

    [Fact]
    public async Task appending_with_a_stale_version_is_rejected_and_writes_nothing()
    {
        await AppendAsync(TenantA, "s", ExpectedVersion.NoStream, 2);
        await Assert.ThrowsAsync<WrongExpectedVersionException>(() => AppendAsync(TenantA, "s", ExpectedVersion.Exact(1)));
        await Assert.ThrowsAsync<WrongExpectedVersionException>(() => AppendAsync(TenantA, "missing", ExpectedVersion.Exact(1)));

        Assert.Equal(2, await Store.GetStreamVersionAsync(TenantA, "s"));
        Assert.Equal(2, (await ReadAllAsync()).Count);
        var ok = await AppendAsync(TenantA, "s", ExpectedVersion.Exact(2));
        Assert.Equal(3, ok.StreamVersion);
    }

    // ---- several streams in one transaction (ADR 0007: bulk import) ----

    private AppendRequest Request(string stream, ExpectedVersion expected, int count = 1, params UniqueClaim[] claims) =>
        new(TenantA, stream, expected, Enumerable.Range(0, count).Select(_ => Counter(stream)).ToArray()) { Claims = claims };

    [Fact]
    public async Task a_multi_stream_append_commits_every_stream_with_dense_positions_or_is_refused_as_unsupported()
    {
        await AppendAsync(TenantA, "before", ExpectedVersion.NoStream);
        AppendRequest[] requests = [Request("m-1", ExpectedVersion.NoStream, 2), Request("m-2", ExpectedVersion.NoStream), Request("before", ExpectedVersion.Exact(1))];
        if (!Store.SupportsMultiStreamAppend)
        {
            await Assert.ThrowsAsync<NotSupportedException>(() => Store.AppendManyAsync(requests));
            Assert.Equal(1, (await Store.ReadHeadAsync()).Position);
            return;
        }

        var results = await Store.AppendManyAsync(requests);

        Assert.Equal([(2L, 3L, 2L), (4L, 4L, 1L), (5L, 5L, 2L)], results.Select(r => (r.FirstPosition, r.LastPosition, r.StreamVersion)));
        Assert.Equal([1L, 2L, 3L, 4L, 5L], (await ReadAllAsync()).Select(e => e.Position));
        Assert.Equal(2, await Store.GetStreamVersionAsync(TenantA, "m-1"));
    }

    [Fact]
    public async Task a_multi_stream_append_links_every_event_into_the_chain_and_the_next_append_continues_it()
    {
        if (!Store.SupportsMultiStreamAppend)
        {
            await Assert.ThrowsAsync<NotSupportedException>(() => Store.AppendManyAsync([Request("x", ExpectedVersion.NoStream)]));
            return;
        }

        await AppendAsync(TenantA, "before", ExpectedVersion.NoStream);
        var requests = Enumerable.Range(0, 50).Select(i => Request($"bulk-{i}", ExpectedVersion.NoStream, 2, UniqueClaim.Claim("username", $"user-{i}"))).ToArray();
        var results = await Store.AppendManyAsync(requests);
        Assert.Equal(101, (await Store.ReadHeadAsync()).Position);

        await Assert.ThrowsAsync<UniqueClaimViolationException>(() => Store.AppendManyAsync(
            [Request("late-1", ExpectedVersion.NoStream), Request("late-2", ExpectedVersion.NoStream, 1, UniqueClaim.Claim("username", "user-7"))]));
        var after = await AppendAsync(TenantA, "after", ExpectedVersion.NoStream);

        Assert.Equal(results[^1].LastPosition + 1, after.FirstPosition);
        Assert.Equal("bulk-49", await Store.GetClaimOwnerAsync(TenantA, "username", "user-49"));
        Assert.Equal(2, await Store.GetStreamVersionAsync(TenantA, "bulk-49"));
        var all = await ReadAllAsync();
        Assert.Equal(Enumerable.Range(1, 102).Select(p => (long)p), all.Select(e => e.Position));
        var chain = await HashChainVerifier.VerifyAsync(Store);
        Assert.True(chain.IsValid, chain.Problem);
    }

    [Fact]
    public async Task a_multi_stream_append_with_one_stale_version_writes_nothing_of_any_stream()
    {
        if (!Store.SupportsMultiStreamAppend)
        {
            await Assert.ThrowsAsync<NotSupportedException>(() => Store.AppendManyAsync([Request("x", ExpectedVersion.NoStream)]));
            return;
        }

        await AppendAsync(TenantA, "taken", ExpectedVersion.NoStream);
        var head = await Store.ReadHeadAsync();

        await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            Store.AppendManyAsync([Request("fresh-1", ExpectedVersion.NoStream), Request("taken", ExpectedVersion.NoStream), Request("fresh-2", ExpectedVersion.NoStream)]));

        Assert.Equal(head.Position, (await Store.ReadHeadAsync()).Position);
        Assert.Equal(0, await Store.GetStreamVersionAsync(TenantA, "fresh-1"));
        Assert.Equal(0, await Store.GetStreamVersionAsync(TenantA, "fresh-2"));
        var after = await AppendAsync(TenantA, "fresh-1", ExpectedVersion.NoStream);
        Assert.Equal(head.Position + 1, after.FirstPosition);
    }

    [Fact]
    public async Task a_multi_stream_append_whose_claim_is_taken_writes_no_event_and_no_claim()
    {
        if (!Store.SupportsMultiStreamAppend)
        {
            await Assert.ThrowsAsync<NotSupportedException>(() => Store.AppendManyAsync([Request("x", ExpectedVersion.NoStream)]));
            return;
        }

        await AppendAsync(TenantA, "owner", ExpectedVersion.NoStream, claims: [UniqueClaim.Claim("username", "alice")]);

        await Assert.ThrowsAsync<UniqueClaimViolationException>(() => Store.AppendManyAsync(
            [Request("u-1", ExpectedVersion.NoStream, 1, UniqueClaim.Claim("username", "bob")), Request("u-2", ExpectedVersion.NoStream, 1, UniqueClaim.Claim("username", "alice"))]));

        Assert.Null(await Store.GetClaimOwnerAsync(TenantA, "username", "bob"));
        Assert.Equal("owner", await Store.GetClaimOwnerAsync(TenantA, "username", "alice"));
        Assert.Single(await ReadAllAsync());
    }

    [Fact]
    public async Task a_multi_stream_append_leaves_the_same_rows_claims_and_head_as_the_same_appends_one_by_one()
    {
        if (!Store.SupportsMultiStreamAppend)
        {
            await Assert.ThrowsAsync<NotSupportedException>(() => Store.AppendManyAsync([Request("x", ExpectedVersion.NoStream)]));
            return;
        }

        await using var twin = await CreateHarnessAsync();
        AppendRequest[] seed =
        [
            Request("account-1", ExpectedVersion.NoStream, 2, UniqueClaim.Claim("username", "old-name")),
            new(TenantB, "theirs", ExpectedVersion.NoStream, [Counter("theirs")]),
        ];

        // One stream twice, a claim released and taken by another stream, an own claim repeated, a claim and its release
        // in one request, another tenant's stream appended to.
        AppendRequest[] requests =
        [
            Request("account-1", ExpectedVersion.Exact(2), 1, UniqueClaim.Release("username", "old-name"), UniqueClaim.Claim("username", "new-name")),
            Request("account-2", ExpectedVersion.NoStream, 2, UniqueClaim.Claim("username", "old-name")),
            Request("account-2", ExpectedVersion.Exact(2), 1, UniqueClaim.Claim("email", "x@example.com"), UniqueClaim.Claim("username", "old-name")),
            Request("account-3", ExpectedVersion.Any, 1, UniqueClaim.Claim("email", "y@example.com"), UniqueClaim.Release("email", "y@example.com")),
            new(TenantB, "theirs", ExpectedVersion.Exact(1), [Counter("theirs"), Counter("theirs"), Counter("theirs")]),
            Request("account-1", ExpectedVersion.Any, 1, UniqueClaim.Release("username", "never-claimed")),
        ];
        foreach (var request in seed)
        {
            await Store.AppendAsync(request);
            await twin.Store.AppendAsync(request);
        }

        var bulk = await Store.AppendManyAsync(requests);
        var single = new List<AppendResult>();
        foreach (var request in requests)
        {
            single.Add(await twin.Store.AppendAsync(request));
        }

        Assert.Equal(single, bulk);
        Assert.Equal(await RowsAsync(twin.Store), await RowsAsync(Store));
        Assert.Equal(Convert.ToHexString((await twin.Store.ReadHeadAsync()).Hash), Convert.ToHexString((await Store.ReadHeadAsync()).Hash));
        (string Scope, string Value)[] claims = [("username", "old-name"), ("username", "new-name"), ("email", "x@example.com"), ("email", "y@example.com")];
        foreach (var (scope, value) in claims)
        {
            Assert.Equal(await twin.Store.GetClaimOwnerAsync(TenantA, scope, value), await Store.GetClaimOwnerAsync(TenantA, scope, value));
        }

        Assert.Equal("account-2", await Store.GetClaimOwnerAsync(TenantA, "username", "old-name"));
        Assert.Null(await Store.GetClaimOwnerAsync(TenantA, "email", "y@example.com"));
        Assert.Equal(4, await Store.GetStreamVersionAsync(TenantB, "theirs"));
        var chain = await HashChainVerifier.VerifyAsync(Store);
        Assert.True(chain.IsValid, chain.Problem);

        static async Task<List<string>> RowsAsync(IEventStore store)
        {
            var rows = new List<string>();
            await foreach (var e in store.ReadAllAsync(0))
            {
                rows.Add($"{e.Position} {e.StreamId} {e.StreamVersion} {e.TenantId} {e.EventType} {e.Data} {e.Metadata} {Convert.ToHexString(e.Hash)}");
            }

            return rows;
        }
    }

    [Fact]
    public async Task a_multi_stream_append_touching_another_tenants_stream_writes_nothing_of_any_stream()
    {
        if (!Store.SupportsMultiStreamAppend)
        {
            await Assert.ThrowsAsync<NotSupportedException>(() => Store.AppendManyAsync([Request("x", ExpectedVersion.NoStream)]));
            return;
        }

        await AppendAsync(TenantB, "theirs", ExpectedVersion.NoStream);
        var head = await Store.ReadHeadAsync();

        await Assert.ThrowsAsync<WrongTenantException>(() =>
            Store.AppendManyAsync([Request("fresh", ExpectedVersion.NoStream, 1, UniqueClaim.Claim("username", "fresh")), Request("theirs", ExpectedVersion.Any)]));

        Assert.Equal(head.Position, (await Store.ReadHeadAsync()).Position);
        Assert.Equal(0, await Store.GetStreamVersionAsync(TenantA, "fresh"));
        Assert.Null(await Store.GetClaimOwnerAsync(TenantA, "username", "fresh"));
    }

    [Fact]
    public async Task two_streams_of_one_multi_stream_append_claiming_one_value_are_refused_whole()
    {
        if (!Store.SupportsMultiStreamAppend)
        {
            await Assert.ThrowsAsync<NotSupportedException>(() => Store.AppendManyAsync([Request("x", ExpectedVersion.NoStream)]));
            return;
        }

        var ex = await Assert.ThrowsAsync<UniqueClaimViolationException>(() => Store.AppendManyAsync(
            [Request("first", ExpectedVersion.NoStream, 1, UniqueClaim.Claim("username", "same")), Request("second", ExpectedVersion.NoStream, 1, UniqueClaim.Claim("username", "same"))]));

        Assert.Equal("first", ex.OwnerStreamId);
        Assert.Null(await Store.GetClaimOwnerAsync(TenantA, "username", "same"));
        Assert.Equal(0, (await Store.ReadHeadAsync()).Position);
        Assert.Empty(await Store.AppendManyAsync([]));
    }

    [Fact]
    public async Task any_version_appends_whatever_the_stream_holds()
    {
        await AppendAsync(TenantA, "s", ExpectedVersion.Any);
        await AppendAsync(TenantA, "s", ExpectedVersion.Any, 2);
        Assert.Equal(3, await Store.GetStreamVersionAsync(TenantA, "s"));
    }

    [Fact]
    public async Task two_concurrent_appenders_to_one_stream_exactly_one_wins_per_version()
    {
        const int rounds = 25;
        for (var version = 0; version < rounds; version++)
        {
            var expected = ExpectedVersion.At(version);
            using var start = new ManualResetEventSlim(false);
            var contenders = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
            {
                start.Wait();
                try
                {
                    await AppendAsync(TenantA, "contended", expected);
                    return true;
                }
                catch (WrongExpectedVersionException)
                {
                    return false;
                }
            })).ToArray();
            start.Set();
            var results = await Task.WhenAll(contenders);
            Assert.Single(results, won => won);
        }

        var events = await ReadStreamAsync(TenantA, "contended");
        Assert.Equal(Enumerable.Range(1, rounds).Select(v => (long)v), events.Select(e => e.StreamVersion));
    }

    [Fact]
    public async Task sixteen_concurrent_appenders_are_seen_by_a_subscriber_exactly_once_in_position_order()
    {
        const int writers = 16;
        const int appendsPerWriter = 40;
        var seen = new ConcurrentQueue<long>();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var subscription = new CatchUpSubscription(Store, new InMemoryCheckpointStore(), "conformance", (e, _) =>
        {
            seen.Enqueue(e.Position);
            return ValueTask.CompletedTask;
        }, batchSize: 64);
        var following = subscription.RunAsync(cts.Token);

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < appendsPerWriter; i++)
            {
                // Mix single events and small batches so commits of different sizes interleave.
                await AppendAsync(w % 2 == 0 ? TenantA : TenantB, $"writer-{w}", ExpectedVersion.Any, 1 + (i % 3));
            }
        })));

        var head = (await Store.ReadHeadAsync()).Position;
        while (subscription.Position < head && !cts.IsCancellationRequested)
        {
            await Task.Delay(20);
        }

        await cts.CancelAsync();
        try
        {
            await following;
        }
        catch (OperationCanceledException)
        {
        }

        var expectedTotal = writers * Enumerable.Range(0, appendsPerWriter).Sum(i => 1 + (i % 3));
        Assert.Equal(expectedTotal, head);
        Assert.Equal(Enumerable.Range(1, expectedTotal).Select(p => (long)p), seen.ToArray());
        for (var w = 0; w < writers; w++)
        {
            var stream = await ReadStreamAsync(w % 2 == 0 ? TenantA : TenantB, $"writer-{w}");
            Assert.Equal(Enumerable.Range(1, stream.Count).Select(v => (long)v), stream.Select(e => e.StreamVersion));
        }
    }

    [Fact]
    public async Task concurrent_appends_succeed_or_fail_each_on_its_own()
    {
        await AppendAsync(TenantA, "shared", ExpectedVersion.NoStream);
        await AppendAsync(TenantB, "theirs", ExpectedVersion.NoStream);

        // Enough at once that group-committing drivers put several in one transaction: stale versions, wrong
        // tenants and a clashing claim fail alone; the rest land, densely, in one chain.
        var attempts = Enumerable.Range(0, 48).Select(i => (i % 4) switch
        {
            0 => (Tenant: TenantA, Stream: "shared", Expected: ExpectedVersion.NoStream, Count: 1, Claims: (IReadOnlyList<UniqueClaim>?)null),
            1 => (TenantA, "theirs", ExpectedVersion.Any, 1, null),
            2 => (TenantA, $"own-{i}", ExpectedVersion.NoStream, 2, [UniqueClaim.Claim("username", "same")]),
            _ => (TenantA, $"free-{i}", ExpectedVersion.NoStream, 3, null),
        }).ToArray();
        var outcomes = await Task.WhenAll(attempts.Select(a => Task.Run(async () =>
        {
            try
            {
                await AppendAsync(a.Tenant, a.Stream, a.Expected, a.Count, a.Claims);
                return "ok";
            }
            catch (EventStoreException ex)
            {
                return ex.Code;
            }
        })));

        Assert.All(outcomes.Where((_, i) => i % 4 == 0), o => Assert.Equal("KID3001", o));
        Assert.All(outcomes.Where((_, i) => i % 4 == 1), o => Assert.Equal("KID3003", o));
        Assert.Single(outcomes.Where((_, i) => i % 4 == 2), o => o == "ok");
        Assert.All(outcomes.Where((o, i) => i % 4 == 2 && o != "ok"), o => Assert.Equal("KID3002", o));
        Assert.All(outcomes.Where((_, i) => i % 4 == 3), o => Assert.Equal("ok", o));

        var all = await ReadAllAsync();
        Assert.Equal(2 + 2 + (12 * 3), all.Count);
        Assert.Equal(Enumerable.Range(1, all.Count).Select(p => (long)p), all.Select(e => e.Position));
        var chain = await HashChainVerifier.VerifyAsync(Store);
        Assert.True(chain.IsValid, chain.Problem);
    }

    // ---- unique claims ----

    [Fact]
    public async Task a_unique_claim_violation_rolls_back_the_whole_append()
    {
        await AppendAsync(TenantA, "user-1", ExpectedVersion.NoStream, claims: [UniqueClaim.Claim("username", "alice")]);
        var headBefore = await Store.ReadHeadAsync();

        var ex = await Assert.ThrowsAsync<UniqueClaimViolationException>(() =>
            AppendAsync(TenantA, "user-2", ExpectedVersion.NoStream, 3, [UniqueClaim.Claim("email", "bob@example.com"), UniqueClaim.Claim("username", "alice")]));

        Assert.Equal("username", ex.Scope);
        Assert.Equal("user-1", ex.OwnerStreamId);
        Assert.DoesNotContain("alice", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, await Store.GetStreamVersionAsync(TenantA, "user-2"));
        Assert.Null(await Store.GetClaimOwnerAsync(TenantA, "email", "bob@example.com"));
        Assert.Equal(headBefore.Position, (await Store.ReadHeadAsync()).Position);
        Assert.Equal(headBefore.Hash, (await Store.ReadHeadAsync()).Hash);
    }

    [Fact]
    public async Task unique_claims_are_per_tenant_and_can_be_released_and_reclaimed()
    {
        await AppendAsync(TenantA, "a-user-1", ExpectedVersion.NoStream, claims: [UniqueClaim.Claim("username", "alice")]);
        await AppendAsync(TenantB, "b-user-1", ExpectedVersion.NoStream, claims: [UniqueClaim.Claim("username", "alice")]);
        Assert.Equal("a-user-1", await Store.GetClaimOwnerAsync(TenantA, "username", "alice"));
        Assert.Equal("b-user-1", await Store.GetClaimOwnerAsync(TenantB, "username", "alice"));

        // Claiming again from the owning stream is idempotent; a release by another stream is ignored.
        await AppendAsync(TenantA, "a-user-1", ExpectedVersion.Exact(1), claims: [UniqueClaim.Claim("username", "alice")]);
        await AppendAsync(TenantA, "a-user-2", ExpectedVersion.NoStream, claims: [UniqueClaim.Release("username", "alice")]);
        Assert.Equal("a-user-1", await Store.GetClaimOwnerAsync(TenantA, "username", "alice"));

        await AppendAsync(TenantA, "a-user-1", ExpectedVersion.Exact(2), claims: [UniqueClaim.Release("username", "alice")]);
        Assert.Null(await Store.GetClaimOwnerAsync(TenantA, "username", "alice"));
        await AppendAsync(TenantA, "a-user-2", ExpectedVersion.Exact(1), claims: [UniqueClaim.Claim("username", "alice")]);
        Assert.Equal("a-user-2", await Store.GetClaimOwnerAsync(TenantA, "username", "alice"));
    }

    [Fact]
    public async Task concurrent_claims_of_one_value_have_exactly_one_winner()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                await AppendAsync(TenantA, $"user-{i}", ExpectedVersion.NoStream, claims: [UniqueClaim.Claim("username", "carol")]);
                return true;
            }
            catch (UniqueClaimViolationException)
            {
                return false;
            }
        })));

        Assert.Single(results, won => won);
        Assert.Single(await ReadAllAsync());
    }

    // ---- reading ----

    [Fact]
    public async Task a_stream_reads_forward_backward_and_from_a_version()
    {
        await AppendAsync(TenantA, "s", ExpectedVersion.NoStream, 5);
        await AppendAsync(TenantA, "other", ExpectedVersion.NoStream, 2);

        Assert.Equal([1L, 2, 3, 4, 5], (await ReadStreamAsync(TenantA, "s")).Select(e => e.StreamVersion));
        Assert.Equal([3L, 4], (await ReadStreamAsync(TenantA, "s", from: 3, max: 2)).Select(e => e.StreamVersion));
        Assert.Equal([5L, 4, 3, 2, 1], (await ReadStreamAsync(TenantA, "s", ReadDirection.Backward, long.MaxValue)).Select(e => e.StreamVersion));
        Assert.Equal([2L, 1], (await ReadStreamAsync(TenantA, "s", ReadDirection.Backward, 2)).Select(e => e.StreamVersion));
        Assert.Empty(await ReadStreamAsync(TenantA, "missing"));
        Assert.All(await ReadStreamAsync(TenantA, "s"), e => Assert.Equal("s", e.StreamId));
    }

    [Fact]
    public async Task the_log_reads_from_a_position_in_order()
    {
        await AppendAsync(TenantA, "s1", ExpectedVersion.NoStream, 3);
        await AppendAsync(TenantB, "s2", ExpectedVersion.NoStream, 3);

        Assert.Equal([1L, 2, 3, 4, 5, 6], (await ReadAllAsync()).Select(e => e.Position));
        Assert.Equal([5L, 6], (await ReadAllAsync(4)).Select(e => e.Position));
        var limited = new List<long>();
        await foreach (var e in Store.ReadAllAsync(1, 2))
        {
            limited.Add(e.Position);
        }

        Assert.Equal([2L, 3], limited);
        Assert.Empty(await ReadAllAsync(6));
    }

    [Fact]
    public async Task every_stored_event_keeps_its_tenant_type_data_and_metadata()
    {
        var metadata = new EventMetadata
        {
            EventId = Guid.NewGuid(),
            Timestamp = TimeStamps.Truncate(new DateTimeOffset(2026, 11, 23, 10, 11, 12, TimeSpan.Zero).AddTicks(1234567)),
            Actor = "user:admin",
            ClientIp = "203.0.113.7",
            UserAgent = "Mozilla/5.0 (X11; Linux x86_64) ünïcödé",
            CorrelationId = "corr-1",
            CausationId = "cause-1",
        };
        await Store.AppendAsync(new AppendRequest(TenantB, "meta", ExpectedVersion.NoStream, [Counter("meta", 7, metadata)]));

        var e = Assert.Single(await ReadAllAsync());
        Assert.Equal((1L, "meta", 1L, TenantB, "conformance.counter-incremented.v1"), (e.Position, e.StreamId, e.StreamVersion, e.TenantId, e.EventType));
        Assert.Equal("""{"counterId":"meta","by":7}""", e.Data);
        Assert.Equal(metadata, e.Metadata);
        Assert.Equal(HashChain.HashSize, e.Hash.Length);
    }

    [Fact]
    public async Task a_subscriber_waits_for_and_wakes_on_a_new_append()
    {
        await AppendAsync(TenantA, "s", ExpectedVersion.NoStream);
        var waiting = Store.WaitForEventsAsync(1, TimeSpan.FromSeconds(30));
        Assert.False(waiting.IsCompleted);
        await AppendAsync(TenantA, "s", ExpectedVersion.Exact(1));
        var finished = await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.Same(waiting, finished);
    }

    [Fact]
    public async Task a_catch_up_subscription_resumes_from_its_stored_checkpoint()
    {
        var checkpoints = new InMemoryCheckpointStore();
        await AppendAsync(TenantA, "s", ExpectedVersion.NoStream, 5);
        var first = await RunUntilAsync(checkpoints, 5);
        Assert.Equal([1L, 2, 3, 4, 5], first);

        await AppendAsync(TenantA, "s", ExpectedVersion.Exact(5), 3);
        var second = await RunUntilAsync(checkpoints, 8);
        Assert.Equal([6L, 7, 8], second);
        Assert.Equal(8, await checkpoints.LoadAsync("resume"));
    }

    private async Task<List<long>> RunUntilAsync(ICheckpointStore checkpoints, long head)
    {
        var seen = new List<long>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var subscription = new CatchUpSubscription(Store, checkpoints, "resume", (e, _) =>
        {
            seen.Add(e.Position);
            return ValueTask.CompletedTask;
        });
        var run = subscription.RunAsync(cts.Token);
        while (subscription.Position < head)
        {
            await Task.Delay(10, cts.Token);
        }

        await cts.CancelAsync();
        await run;
        return seen;
    }

    // ---- tenants and bad input ----

    [Fact]
    public async Task another_tenants_stream_is_refused_for_append_and_read()
    {
        await AppendAsync(TenantA, "shared-id", ExpectedVersion.NoStream);
        var headBefore = await Store.ReadHeadAsync();

        var append = await Assert.ThrowsAsync<WrongTenantException>(() => AppendAsync(TenantB, "shared-id", ExpectedVersion.Any));
        Assert.Equal("KID3003", append.Code);
        await Assert.ThrowsAsync<WrongTenantException>(() => ReadStreamAsync(TenantB, "shared-id"));
        await Assert.ThrowsAsync<WrongTenantException>(() => Store.GetStreamVersionAsync(TenantB, "shared-id"));
        Assert.Equal(headBefore.Position, (await Store.ReadHeadAsync()).Position);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bad\nid")]
    public async Task an_empty_or_invalid_stream_id_is_refused(string streamId)
    {
        var ex = await Assert.ThrowsAsync<InvalidAppendException>(() => AppendAsync(TenantA, streamId, ExpectedVersion.Any));
        Assert.Equal("KID3004", ex.Code);
        await Assert.ThrowsAsync<InvalidAppendException>(() => AppendAsync("", "fine", ExpectedVersion.Any));
        Assert.Equal(0, (await Store.ReadHeadAsync()).Position);
    }

    [Fact]
    public async Task an_oversized_payload_is_refused_and_nothing_of_its_append_is_written()
    {
        await AppendAsync(TenantA, "s", ExpectedVersion.NoStream);
        var huge = new UncommittedEvent("conformance.counter-incremented.v1", $$"""{"counterId":"{{new string('x', EventStoreLimits.MaxEventDataBytes)}}","by":1}""", EventMetadata.New());

        await Assert.ThrowsAsync<InvalidAppendException>(() =>
            Store.AppendAsync(new AppendRequest(TenantA, "s", ExpectedVersion.Exact(1), [Counter("s"), huge])));

        Assert.Equal(1, await Store.GetStreamVersionAsync(TenantA, "s"));
        Assert.Single(await ReadAllAsync());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"a\":1} trailing")]
    public async Task event_data_that_is_not_a_json_object_is_refused(string data)
    {
        await Assert.ThrowsAsync<InvalidAppendException>(() =>
            Store.AppendAsync(new AppendRequest(TenantA, "s", ExpectedVersion.Any, [new UncommittedEvent("conformance.counter-incremented.v1", data, EventMetadata.New())])));
        Assert.Equal(0, (await Store.ReadHeadAsync()).Position);
    }

    [Fact]
    public async Task a_nul_character_anywhere_is_refused_by_every_driver()
    {
        await Assert.ThrowsAsync<InvalidAppendException>(() => Store.AppendAsync(new AppendRequest(TenantA, "s", ExpectedVersion.Any,
            [new UncommittedEvent("conformance.counter-incremented.v1", "{\"counterId\":\"a\0b\"}", EventMetadata.New())])));
        await Assert.ThrowsAsync<InvalidAppendException>(() => Store.AppendAsync(new AppendRequest(TenantA, "s", ExpectedVersion.Any,
            [Counter("s", 1, EventMetadata.New() with { UserAgent = "curl\0/8" })])));
        await Assert.ThrowsAsync<InvalidAppendException>(() => AppendAsync(TenantA, "s", ExpectedVersion.Any, claims: [UniqueClaim.Claim("username", "a\0b")]));
        Assert.Equal(0, (await Store.ReadHeadAsync()).Position);
    }

    [Fact]
    public async Task an_unknown_event_type_is_a_typed_error_on_read()
    {
        await Store.AppendAsync(new AppendRequest(TenantA, "s", ExpectedVersion.Any, [new UncommittedEvent("nobody.knows.v9", "{}", EventMetadata.New())]));
        var stored = Assert.Single(await ReadAllAsync());

        var ex = await Assert.ThrowsAsync<UnknownEventTypeException>(() => Serializer.DeserializeAsync(stored).AsTask());
        Assert.Equal("KID3005", ex.Code);
    }

    // ---- hash chain ----

    [Fact]
    public async Task the_hash_chain_verifies()
    {
        for (var i = 0; i < 10; i++)
        {
            await AppendAsync(i % 2 == 0 ? TenantA : TenantB, $"s{i % 2}-{i % 3}", ExpectedVersion.Any, 1 + (i % 4));
        }

        var result = await HashChainVerifier.VerifyAsync(Store);
        Assert.True(result.IsValid, result.Problem);
        Assert.Equal((await Store.ReadHeadAsync()).Position, result.EventsChecked);
    }

    [Fact]
    public async Task the_hash_chain_detects_a_modified_row()
    {
        await AppendAsync(TenantA, "s", ExpectedVersion.NoStream, 10);
        await Harness.TamperDataAsync(4, """{"counterId":"s","by":1000}""");

        var result = await HashChainVerifier.VerifyAsync(Store);
        Assert.False(result.IsValid);
        Assert.Equal(4, result.FirstBrokenPosition);
    }

    [Fact]
    public async Task the_hash_chain_detects_a_deleted_row()
    {
        await AppendAsync(TenantA, "s", ExpectedVersion.NoStream, 10);
        await Harness.TamperDeleteAsync(6);

        var result = await HashChainVerifier.VerifyAsync(Store);
        Assert.False(result.IsValid);
        Assert.Equal(6, result.FirstBrokenPosition);
    }

    [Fact]
    public async Task the_hash_chain_detects_deleted_newest_rows()
    {
        await AppendAsync(TenantA, "s", ExpectedVersion.NoStream, 10);
        await Harness.TamperDeleteAsync(10);

        var result = await HashChainVerifier.VerifyAsync(Store);
        Assert.False(result.IsValid);
        Assert.Equal(10, result.FirstBrokenPosition);
    }

    // ---- personal data and upcasting ----

    [Fact]
    public async Task personal_data_is_stored_encrypted_and_reads_as_erased_after_the_key_is_erased()
    {
        var serializer = Serializer;
        var registered = new PersonRegistered("person-1", "alice@example.com", "Alice Liddell", "pro");
        var other = new PersonRegistered("person-2", "bob@example.com", null, "free");
        var events = new[]
        {
            await serializer.SerializeAsync(TenantA, registered, EventMetadata.New()),
            await serializer.SerializeAsync(TenantA, other, EventMetadata.New()),
        };
        await Store.AppendAsync(new AppendRequest(TenantA, "people", ExpectedVersion.NoStream, events));

        var stored = await ReadAllAsync();
        Assert.DoesNotContain("alice@example.com", stored[0].Data, StringComparison.Ordinal);
        Assert.DoesNotContain("Alice", stored[0].Data, StringComparison.Ordinal);
        Assert.Contains("\"plan\":\"pro\"", stored[0].Data, StringComparison.Ordinal);
        Assert.Equal(registered, (await serializer.DeserializeAsync(stored[0])).Event);

        Assert.True(await Harness.Keys.EraseAsync(TenantA, "person-1"));

        var erased = await serializer.DeserializeAsync((await ReadAllAsync())[0]);
        Assert.Equal(new PersonRegistered("person-1", PersonalData.Erased, PersonalData.Erased, "pro"), erased.Event);
        Assert.Equal(["displayName", "email"], erased.ErasedFields.Order(StringComparer.Ordinal));
        Assert.Equal(other, (await serializer.DeserializeAsync((await ReadAllAsync())[1])).Event);

        var chain = await HashChainVerifier.VerifyAsync(Store);
        Assert.True(chain.IsValid, chain.Problem);
        Assert.Equal(stored.Select(e => e.Data), (await ReadAllAsync()).Select(e => e.Data));
    }

    [Fact]
    public async Task personal_data_of_one_subject_cannot_be_read_with_another_subjects_key()
    {
        var serializer = Serializer;
        var e = await serializer.SerializeAsync(TenantA, new PersonRegistered("person-1", "alice@example.com", null, "pro"), EventMetadata.New());
        await Harness.Keys.GetOrCreateKeyAsync(TenantA, "person-2");

        // An attacker moving a ciphertext into another subject's event gets nothing readable.
        var moved = e.Data.Replace("person-1", "person-2", StringComparison.Ordinal);
        await Store.AppendAsync(new AppendRequest(TenantA, "people", ExpectedVersion.NoStream, [e with { Data = moved }]));

        var decoded = await serializer.DeserializeAsync(Assert.Single(await ReadAllAsync()));
        Assert.Equal(PersonalData.Erased, ((PersonRegistered)decoded.Event).Email);
    }

    [Fact]
    public async Task a_retired_version_is_upcast_on_read()
    {
        await Store.AppendAsync(new AppendRequest(TenantA, "thing-1", ExpectedVersion.NoStream,
            [new UncommittedEvent("conformance.thing-named.v1", """{"thingId":"thing-1","name":"Ada Lovelace"}""", EventMetadata.New())]));

        var decoded = await Serializer.DeserializeAsync(Assert.Single(await ReadAllAsync()));
        Assert.Equal(new ThingNamed("thing-1", "Ada", "Lovelace"), decoded.Event);
        Assert.Equal("conformance.thing-named.v1", decoded.Stored.EventType);
    }
}
