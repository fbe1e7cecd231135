using System.Net;
using KoderId.EventSourcing.Storage;
using KoderId.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Server.Tests.Observability;

public sealed class MetricsTests
{
    [Fact]
    public async Task metrics_answers_prometheus_text_with_http_and_log_head_metrics()
    {
        await using var factory = KoderIdFactory.InMemory();
        var client = factory.CreateClient();
        (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).Dispose();

        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("http_requests_received_total{", text, StringComparison.Ordinal);
        // Event 1 is the bootstrap creation of the default tenant.
        Assert.Contains("\nkoderid_log_head_position 1\n", text, StringComparison.Ordinal);
        Assert.Contains("\nkoderid_event_store_up 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_append_moves_the_log_head_gauge_and_the_appended_counter()
    {
        await using var factory = KoderIdFactory.InMemory();
        var client = factory.CreateClient();
        var store = factory.Services.GetRequiredService<IEventStore>();

        await store.AppendAsync(new AppendRequest(
            "acme",
            "test-1",
            ExpectedVersion.NoStream,
            [new UncommittedEvent("test.happened.v1", "{}", EventMetadata.New()), new UncommittedEvent("test.happened.v1", "{}", EventMetadata.New())]));

        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        // Plus the bootstrap creation of the default tenant at start-up.
        Assert.Contains("\nkoderid_log_head_position 3\n", text, StringComparison.Ordinal);
        Assert.Contains("\nkoderid_events_appended_total 3\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_stale_append_is_counted_as_a_conflict_with_its_code()
    {
        await using var factory = KoderIdFactory.InMemory();
        var store = factory.Services.GetRequiredService<IEventStore>();
        var append = new AppendRequest("acme", "test-1", ExpectedVersion.NoStream, [new UncommittedEvent("test.happened.v1", "{}", EventMetadata.New())]);
        await store.AppendAsync(append);

        await Assert.ThrowsAsync<WrongExpectedVersionException>(() => store.AppendAsync(append));

        var text = await factory.CreateClient().GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("koderid_append_conflicts_total{code=\"KID3001\"} 1", text, StringComparison.Ordinal);
    }
}
