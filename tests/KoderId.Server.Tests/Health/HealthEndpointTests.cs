using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using KoderId.EventSourcing.Storage;
using KoderId.Server.Storage;
using KoderId.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Server.Tests.Health;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task healthz_answers_200_while_the_process_runs()
    {
        await using var factory = KoderIdFactory.InMemory();
        using var response = await factory.CreateClient().GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("process").GetProperty("status").GetString());
    }

    [Fact]
    public async Task readyz_answers_200_on_sqlite_and_the_file_is_created()
    {
        await using var factory = KoderIdFactory.Sqlite();
        using var response = await factory.CreateClient().GetAsync(new Uri("/readyz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, await StatusWithBody(response));
        AssertCheck(await response.Content.ReadAsStringAsync(), "event-store", "Healthy");
        Assert.True(File.Exists(Path.Combine(factory.DataDirectory!, "koderid.db")));
    }

    [Fact]
    public async Task readyz_answers_200_on_inmemory()
    {
        await using var factory = KoderIdFactory.InMemory();
        using var response = await factory.CreateClient().GetAsync(new Uri("/readyz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, await StatusWithBody(response));
        var json = await response.Content.ReadAsStringAsync();
        AssertCheck(json, "event-store", "Healthy");
        AssertCheck(json, "inline-projections", "Healthy");
    }

    [Fact]
    public async Task readyz_answers_503_with_each_failing_check_when_the_store_stops_answering()
    {
        var store = new FailingEventStore();
        // Over the backend's own store, so the start-up bootstrap append reaches the inline projections as usual.
        await using var factory = KoderIdFactory.InMemory(services => services.AddSingleton<IEventStore>(sp =>
        {
            store.Inner = sp.GetRequiredService<StorageBackend>().Store;
            return store;
        }));
        var client = factory.CreateClient();
        using (var before = await client.GetAsync(new Uri("/readyz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, await StatusWithBody(before));
        }

        store.Down = true;
        using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var json = await response.Content.ReadAsStringAsync();
        AssertCheck(json, "event-store", "Unhealthy");
        AssertCheck(json, "inline-projections", "Unhealthy");
        Assert.DoesNotContain(FailingEventStore.SecretDetail, json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task healthz_stays_200_when_the_store_stops_answering()
    {
        var store = new FailingEventStore();
        // Over the backend's own store, so the start-up bootstrap append reaches the inline projections as usual.
        await using var factory = KoderIdFactory.InMemory(services => services.AddSingleton<IEventStore>(sp =>
        {
            store.Inner = sp.GetRequiredService<StorageBackend>().Store;
            return store;
        }));
        var client = factory.CreateClient();
        store.Down = true;
        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<HttpStatusCode> StatusWithBody(HttpResponseMessage response)
    {
        // On failure, xunit shows the body: which check failed and why.
        var body = await response.Content.ReadAsStringAsync();
        return response.StatusCode == HttpStatusCode.OK ? HttpStatusCode.OK : throw new Xunit.Sdk.XunitException($"{response.StatusCode}: {body}");
    }

    private static void AssertCheck(string json, string check, string status)
    {
        using var body = JsonDocument.Parse(json);
        Assert.Equal(status, body.RootElement.GetProperty("checks").GetProperty(check).GetProperty("status").GetString());
    }

    /// <summary>
    /// An empty store that, once <see cref="Down"/> is set, fails every call the way an unreachable database
    /// does. Start-up needs the store (it fails fast otherwise), so the outage starts after the host is up.
    /// </summary>
    private sealed class FailingEventStore : IEventStore
    {
        public const string SecretDetail = "host db.internal:5432 refused";

        public IEventStore Inner { get; set; } = null!;

        public volatile bool Down;

        public Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default) =>
            Down ? throw Fail() : Inner.AppendAsync(request, ct);

        public IAsyncEnumerable<StoredEvent> ReadStreamAsync(
            string tenantId, string streamId, ReadDirection direction = ReadDirection.Forward, long fromVersion = 1,
            int maxCount = int.MaxValue, CancellationToken ct = default) =>
            Down ? Failing(ct) : Inner.ReadStreamAsync(tenantId, streamId, direction, fromVersion, maxCount, ct);

        public IAsyncEnumerable<StoredEvent> ReadAllAsync(long afterPosition, int maxCount = int.MaxValue, CancellationToken ct = default) =>
            Down ? Failing(ct) : Inner.ReadAllAsync(afterPosition, maxCount, ct);

        public Task<long> GetStreamVersionAsync(string tenantId, string streamId, CancellationToken ct = default) =>
            Down ? throw Fail() : Inner.GetStreamVersionAsync(tenantId, streamId, ct);

        public Task<string?> GetClaimOwnerAsync(string tenantId, string scope, string value, CancellationToken ct = default) =>
            Down ? throw Fail() : Inner.GetClaimOwnerAsync(tenantId, scope, value, ct);

        public Task<LogHead> ReadHeadAsync(CancellationToken ct = default) =>
            Down ? Task.FromException<LogHead>(Fail()) : Inner.ReadHeadAsync(ct);

        public Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken ct = default) => Task.Delay(timeout, ct);

        private static async IAsyncEnumerable<StoredEvent> Failing([EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Yield();
            ct.ThrowIfCancellationRequested();
            if (Fail() is { } error)
            {
                throw error;
            }

            yield break;
        }

        private static EventStoreUnavailableException Fail() => new($"The store is unreachable ({SecretDetail}).");
    }
}
