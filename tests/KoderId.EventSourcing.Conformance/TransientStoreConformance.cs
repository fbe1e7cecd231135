using KoderId.EventSourcing.Storage;
using Xunit;

namespace KoderId.EventSourcing.Conformance;

/// <summary>A clock the test moves: expiry is decided by the store's clock, never by sleeping.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>
/// The behaviour every <see cref="ITransientStore"/> driver must show (ADR 0006): compare-and-swap writes, single
/// use under concurrency, expiry by the store's clock, counters and the purge. A driver enrols by deriving a class
/// and returning a fresh, empty store reading <see cref="Clock"/>.
/// </summary>
public abstract class TransientStoreConformance : IAsyncLifetime
{
    private const string Tenant = "tenant-a";
    private ITransientStore? _store;

    protected ManualClock Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero));

    protected ITransientStore Store => _store ?? throw new InvalidOperationException("Store not created.");

    private DateTimeOffset In(int seconds) => Clock.GetUtcNow().AddSeconds(seconds);

    protected abstract Task<ITransientStore> CreateStoreAsync(TimeProvider clock);

    protected virtual Task DisposeStoreAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => _store = await CreateStoreAsync(Clock);

    public Task DisposeAsync() => DisposeStoreAsync();

    [Fact]
    public async Task an_added_entry_reads_back_with_version_one()
    {
        Assert.True(await Store.TryAddAsync(Tenant, "flow", "f1", [1, 2, 3], In(300)));

        var entry = await Store.GetAsync(Tenant, "flow", "f1");

        Assert.NotNull(entry);
        Assert.Equal(new byte[] { 1, 2, 3 }, entry.Value);
        Assert.Equal(1, entry.Version);
        Assert.Equal(In(300), entry.ExpiresAt);
    }

    [Fact]
    public async Task adding_over_a_live_entry_is_refused_and_keeps_it()
    {
        await Store.TryAddAsync(Tenant, "flow", "f1", [1], In(300));

        Assert.False(await Store.TryAddAsync(Tenant, "flow", "f1", [2], In(300)));
        Assert.Equal(new byte[] { 1 }, (await Store.GetAsync(Tenant, "flow", "f1"))!.Value);
    }

    [Fact]
    public async Task keys_are_scoped_by_tenant_and_kind()
    {
        await Store.TryAddAsync(Tenant, "flow", "k", [1], In(300));

        Assert.Null(await Store.GetAsync("tenant-b", "flow", "k"));
        Assert.Null(await Store.GetAsync(Tenant, "challenge", "k"));
        Assert.True(await Store.TryAddAsync("tenant-b", "flow", "k", [2], In(300)));
        Assert.Equal(new byte[] { 1 }, (await Store.GetAsync(Tenant, "flow", "k"))!.Value);
    }

    [Fact]
    public async Task a_replace_with_the_current_version_bumps_it_and_a_stale_one_fails()
    {
        await Store.TryAddAsync(Tenant, "flow", "f1", [1], In(300));

        Assert.True(await Store.TryReplaceAsync(Tenant, "flow", "f1", 1, [2], In(200)));
        Assert.False(await Store.TryReplaceAsync(Tenant, "flow", "f1", 1, [3], In(200)));

        var entry = await Store.GetAsync(Tenant, "flow", "f1");
        Assert.Equal(new byte[] { 2 }, entry!.Value);
        Assert.Equal(2, entry.Version);
        Assert.Equal(In(200), entry.ExpiresAt);
    }

    [Fact]
    public async Task a_missing_entry_cannot_be_replaced_or_removed()
    {
        Assert.False(await Store.TryReplaceAsync(Tenant, "flow", "none", 1, [1], In(300)));
        Assert.False(await Store.TryRemoveAsync(Tenant, "flow", "none", 1));
        Assert.False(await Store.DeleteAsync(Tenant, "flow", "none"));
    }

    [Fact]
    public async Task a_remove_consumes_the_entry_once()
    {
        await Store.TryAddAsync(Tenant, "flow", "f1", [1], In(300));

        Assert.False(await Store.TryRemoveAsync(Tenant, "flow", "f1", 2));
        Assert.True(await Store.TryRemoveAsync(Tenant, "flow", "f1", 1));
        Assert.False(await Store.TryRemoveAsync(Tenant, "flow", "f1", 1));
        Assert.Null(await Store.GetAsync(Tenant, "flow", "f1"));
    }

    [Fact]
    public async Task of_many_concurrent_removes_exactly_one_wins()
    {
        await Store.TryAddAsync(Tenant, "flow", "race", [1], In(300));

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() => Store.TryRemoveAsync(Tenant, "flow", "race", 1))));

        Assert.Single(results, r => r);
    }

    [Fact]
    public async Task of_many_concurrent_replaces_of_one_version_exactly_one_wins()
    {
        await Store.TryAddAsync(Tenant, "flow", "race", [0], In(300));

        var results = await Task.WhenAll(Enumerable.Range(1, 32).Select(i => Task.Run(() => Store.TryReplaceAsync(Tenant, "flow", "race", 1, [(byte)i], In(300)))));

        Assert.Single(results, r => r);
        Assert.Equal(2, (await Store.GetAsync(Tenant, "flow", "race"))!.Version);
    }

    [Fact]
    public async Task an_expired_entry_reads_as_absent_everywhere()
    {
        await Store.TryAddAsync(Tenant, "flow", "f1", [1], In(60));
        Clock.Advance(TimeSpan.FromSeconds(60));

        Assert.Null(await Store.GetAsync(Tenant, "flow", "f1"));
        Assert.False(await Store.TryReplaceAsync(Tenant, "flow", "f1", 1, [2], In(60)));
        Assert.False(await Store.TryRemoveAsync(Tenant, "flow", "f1", 1));
        Assert.False(await Store.DeleteAsync(Tenant, "flow", "f1"));
    }

    [Fact]
    public async Task an_expired_key_can_be_added_again_from_version_one()
    {
        await Store.TryAddAsync(Tenant, "flow", "f1", [1], In(60));
        await Store.TryReplaceAsync(Tenant, "flow", "f1", 1, [2], In(60));
        Clock.Advance(TimeSpan.FromSeconds(61));

        Assert.True(await Store.TryAddAsync(Tenant, "flow", "f1", [3], In(60)));
        var entry = await Store.GetAsync(Tenant, "flow", "f1");
        Assert.Equal(new byte[] { 3 }, entry!.Value);
        Assert.Equal(1, entry.Version);
    }

    [Fact]
    public async Task a_counter_counts_and_keeps_its_first_expiry()
    {
        Assert.Equal(1, await Store.IncrementAsync(Tenant, "fail-user", "u1", In(60)));
        Assert.Equal(2, await Store.IncrementAsync(Tenant, "fail-user", "u1", In(600)));
        Assert.Equal(3, await Store.IncrementAsync(Tenant, "fail-user", "u1", In(600)));

        var entry = await Store.GetAsync(Tenant, "fail-user", "u1");
        Assert.Equal(3, entry!.Version);
        Assert.Equal(3, BitConverter.ToInt64(entry.Value));
        Assert.Equal(In(60), entry.ExpiresAt);
    }

    [Fact]
    public async Task an_expired_counter_starts_again_at_one()
    {
        await Store.IncrementAsync(Tenant, "fail-ip", "10.0.0.1", In(60));
        await Store.IncrementAsync(Tenant, "fail-ip", "10.0.0.1", In(60));
        Clock.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal(1, await Store.IncrementAsync(Tenant, "fail-ip", "10.0.0.1", In(60)));
        Assert.Equal(In(60), (await Store.GetAsync(Tenant, "fail-ip", "10.0.0.1"))!.ExpiresAt);
    }

    [Fact]
    public async Task concurrent_increments_lose_no_count()
    {
        var counts = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => Store.IncrementAsync(Tenant, "fail-user", "u1", In(300)))));

        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), counts.Order());
    }

    [Fact]
    public async Task a_delete_removes_whatever_the_version()
    {
        await Store.IncrementAsync(Tenant, "fail-user", "u1", In(300));
        await Store.IncrementAsync(Tenant, "fail-user", "u1", In(300));

        Assert.True(await Store.DeleteAsync(Tenant, "fail-user", "u1"));
        Assert.Null(await Store.GetAsync(Tenant, "fail-user", "u1"));
        Assert.Equal(1, await Store.IncrementAsync(Tenant, "fail-user", "u1", In(300)));
    }

    [Fact]
    public async Task the_purge_deletes_only_what_has_expired()
    {
        await Store.TryAddAsync(Tenant, "flow", "old", [1], In(10));
        await Store.IncrementAsync(Tenant, "fail-ip", "old", In(20));
        await Store.TryAddAsync(Tenant, "flow", "young", [1], In(100));

        Assert.Equal(2, await Store.PurgeExpiredAsync(In(50)));
        Assert.Equal(0, await Store.PurgeExpiredAsync(In(50)));
        Assert.NotNull(await Store.GetAsync(Tenant, "flow", "young"));
    }
}
