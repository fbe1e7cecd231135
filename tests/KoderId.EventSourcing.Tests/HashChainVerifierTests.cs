using System.Runtime.CompilerServices;
using KoderId.EventSourcing.InMemory;
using KoderId.EventSourcing.Storage;
using Xunit;

namespace KoderId.EventSourcing.Tests;

public sealed class HashChainVerifierTests
{
    [Fact]
    public async Task Bug_1_events_appended_while_verify_walks_a_live_log_are_not_reported_as_deleted()
    {
        var inner = new InMemoryEventStore();
        await AppendAsync(inner, "s-1", 3);
        var store = new AppendsAfterTheFirstWalk(inner, () => AppendAsync(inner, "s-2", 2));

        var result = await HashChainVerifier.VerifyAsync(store);

        Assert.True(result.IsValid, result.Problem);
        Assert.Equal(5, result.EventsChecked);
    }

    [Fact]
    public async Task deleted_newest_rows_are_still_reported_when_nothing_new_is_appended()
    {
        var store = new InMemoryEventStore();
        await AppendAsync(store, "s-1", 5);
        store.TamperDelete(5);
        store.TamperDelete(4);

        var result = await HashChainVerifier.VerifyAsync(store);

        Assert.False(result.IsValid);
        Assert.Equal(3, result.EventsChecked);
        Assert.Equal(4, result.FirstBrokenPosition);
    }

    [Fact]
    public async Task a_broken_link_names_its_stream_event_and_both_hashes()
    {
        var store = new InMemoryEventStore();
        await AppendAsync(store, "s-1", 3);
        var original = await ReadAsync(store, 2);
        store.TamperReplace(2, e => e with { Data = """{"i":42}""" });

        var result = await HashChainVerifier.VerifyAsync(store);

        Assert.False(result.IsValid);
        Assert.Equal(2, result.Broken!.Position);
        Assert.Equal("s-1", result.Broken.StreamId);
        Assert.Equal(original.Metadata.EventId, result.Broken.EventId);
        Assert.Equal(original.Hash, result.Broken.FoundHash);
        Assert.NotEqual(original.Hash, result.Broken.ExpectedHash);
    }

    [Fact]
    public async Task a_tenant_verification_proves_its_own_links_past_a_break_in_another_tenant()
    {
        var store = new InMemoryEventStore();
        await AppendAsync(store, "a-1", 2);
        await AppendAsync(store, "b-1", 2, tenant: "globex");
        await AppendAsync(store, "a-2", 2);
        store.TamperReplace(3, e => e with { Data = """{"i":42}""" });

        var acme = await HashChainVerifier.VerifyAsync(store, "acme");
        var globex = await HashChainVerifier.VerifyAsync(store, "globex");

        Assert.False(acme.IsValid);
        Assert.True(acme.BrokenOutsideTenant);
        Assert.Equal(3, acme.FirstBrokenPosition);
        Assert.Null(acme.Broken!.StreamId);
        Assert.Equal(4, acme.TenantEventsChecked);
        Assert.Equal(6, acme.EventsChecked);
        Assert.False(globex.BrokenOutsideTenant);
        Assert.Equal("b-1", globex.Broken!.StreamId);
    }

    [Fact]
    public async Task a_tenants_own_break_is_named_even_after_a_break_elsewhere()
    {
        var store = new InMemoryEventStore();
        await AppendAsync(store, "b-1", 1, tenant: "globex");
        await AppendAsync(store, "a-1", 2);
        store.TamperReplace(1, e => e with { Data = """{"i":7}""" });
        store.TamperReplace(3, e => e with { Data = """{"i":8}""" });

        var acme = await HashChainVerifier.VerifyAsync(store, "acme");

        Assert.False(acme.BrokenOutsideTenant);
        Assert.Equal(3, acme.FirstBrokenPosition);
        Assert.Equal("a-1", acme.Broken!.StreamId);
    }

    private static async Task<StoredEvent> ReadAsync(IEventStore store, long position)
    {
        await foreach (var e in store.ReadAllAsync(position - 1, 1))
        {
            return e;
        }

        throw new InvalidOperationException("no such position");
    }

    private static Task<AppendResult> AppendAsync(IEventStore store, string stream, int count, string tenant = "acme") =>
        store.AppendAsync(new AppendRequest(tenant, stream, ExpectedVersion.Any,
            Enumerable.Range(0, count).Select(i => new UncommittedEvent("thing.happened.v1", $$"""{"i":{{i}}}""", EventMetadata.New())).ToArray()));

    /// <summary>A live log: another writer appends right after the verifier's first pass over it ends.</summary>
    private sealed class AppendsAfterTheFirstWalk(IEventStore inner, Func<Task> append) : IEventStore
    {
        private bool _appended;

        public async IAsyncEnumerable<StoredEvent> ReadAllAsync(long afterPosition, int maxCount = int.MaxValue, [EnumeratorCancellation] CancellationToken ct = default)
        {
            await foreach (var e in inner.ReadAllAsync(afterPosition, maxCount, ct))
            {
                yield return e;
            }

            if (!_appended)
            {
                _appended = true;
                await append();
            }
        }

        public Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default) => inner.AppendAsync(request, ct);

        public IAsyncEnumerable<StoredEvent> ReadStreamAsync(string tenantId, string streamId, ReadDirection direction = ReadDirection.Forward,
            long fromVersion = 1, int maxCount = int.MaxValue, CancellationToken ct = default) =>
            inner.ReadStreamAsync(tenantId, streamId, direction, fromVersion, maxCount, ct);

        public Task<long> GetStreamVersionAsync(string tenantId, string streamId, CancellationToken ct = default) => inner.GetStreamVersionAsync(tenantId, streamId, ct);

        public Task<string?> GetClaimOwnerAsync(string tenantId, string scope, string value, CancellationToken ct = default) =>
            inner.GetClaimOwnerAsync(tenantId, scope, value, ct);

        public Task<LogHead> ReadHeadAsync(CancellationToken ct = default) => inner.ReadHeadAsync(ct);

        public Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken ct = default) => inner.WaitForEventsAsync(afterPosition, timeout, ct);
    }
}
