using KoderId.Events.Clients;
using KoderId.EventSourcing.Projections;
using KoderId.Projections.Clients;

namespace KoderId.Projections.Tests;

/// <summary>The clients model and its cache (ADR 0004 "hot paths"), and the assertion jti table, on the embedded driver.</summary>
public sealed class ClientDirectoryTests : IAsyncLifetime
{
    private const string Id = "0197a3f2c1d47c3e9b5a2f6d8e0c1d0a";
    private const string Hash = "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg";
    private readonly ManualTime _time = new();
    private ReadModelHarness _h = null!;
    private ClientDirectory _clients = null!;

    public async Task InitializeAsync()
    {
        _h = await ReadModelHarness.StartAsync(await ReadModelHarness.NewTargetAsync(SqlDialect.Sqlite));
        _clients = new ClientDirectory(_h.ReadModels, new ClientDirectoryOptions { CacheLifetime = TimeSpan.FromSeconds(5) }, _time);
        await _h.AppendAsync("acme", $"client-acme-{Id}", Registered("Shop"));
    }

    public async Task DisposeAsync()
    {
        _clients.Dispose();
        await _h.DisposeAsync();
    }

    [Fact]
    public async Task a_cached_client_is_served_from_memory_and_a_change_from_another_node_shows_within_the_lifetime()
    {
        Assert.Equal("Shop", (await _clients.FindAsync("acme", Id))!.View.Name);
        Assert.Equal("Shop", (await _clients.FindAsync("acme", Id))!.View.Name);
        Assert.Equal(1, _clients.DatabaseReads);

        // Another node's write: the row changes under us, no event is applied in this process.
        await ExecuteAsync($"UPDATE clients_v1 SET name = 'Elsewhere' WHERE client_id = '{Id}'");
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("Shop", (await _clients.FindAsync("acme", Id))!.View.Name);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("Elsewhere", (await _clients.FindAsync("acme", Id))!.View.Name);
        Assert.Equal(2, _clients.DatabaseReads);
    }

    [Fact]
    public async Task an_event_applied_in_this_process_invalidates_the_cache_at_once()
    {
        var before = await _clients.FindAsync("acme", Id);
        Assert.Equal(Hash, before!.SecretHash);
        await _h.AppendAsync("acme", $"client-acme-{Id}", new ClientSecretRotated(Id, "q1bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg"));
        Assert.Equal("q1bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg", (await _clients.FindAsync("acme", Id))!.SecretHash);

        await _h.AppendAsync("acme", $"client-acme-{Id}", new ClientDeleted(Id));
        Assert.Null(await _clients.FindAsync("acme", Id));
        Assert.Null(await _clients.GetAsync("acme", Id));
    }

    [Fact]
    public async Task another_tenant_never_sees_the_client()
    {
        Assert.Null(await _clients.FindAsync("globex", Id));
        Assert.Empty(await _clients.ListAsync("globex"));
        Assert.Single(await _clients.ListAsync("acme"));
    }

    [Fact]
    public async Task an_assertion_jti_is_accepted_once_per_client()
    {
        var jtis = new ClientAssertionJtis(_h.ReadModels);
        var now = DateTimeOffset.UtcNow;
        Assert.True(await jtis.TryUseAsync("acme", Id, "j1", now.AddMinutes(1), now));
        Assert.False(await jtis.TryUseAsync("acme", Id, "j1", now.AddMinutes(1), now));
        Assert.True(await jtis.TryUseAsync("acme", "0197a3f2c1d47c3e9b5a2f6d8e0c1d0b", "j1", now.AddMinutes(1), now));
        Assert.True(await jtis.TryUseAsync("globex", Id, "j1", now.AddMinutes(1), now));
    }

    private static ClientRegistered Registered(string name) =>
        new(Id, name, "confidential", ["https://shop.example.com/cb"], [], ["authorization_code"], ["code"], ["openid"], "client_secret_basic", "RS256", true, false,
            "admin", SecretHash: Hash);

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await _h.ReadModels.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
