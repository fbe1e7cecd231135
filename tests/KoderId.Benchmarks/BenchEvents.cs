using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;

namespace KoderId.Benchmarks;

[EventType("bench.tick.v1")]
public sealed record BenchTick(string StreamId, int N, string Note);

/// <summary>A realistic small projection: one upsert per event into a per-stream counter table.</summary>
public sealed class BenchCountsProjection : SqlProjection
{
    public BenchCountsProjection()
        : base("bench_counts", 1, ProjectionLifecycle.Async, "bench_counts")
    {
        On<BenchTick>((ctx, e, stored, ct) => ctx.WriteAsync(
            $"""
            INSERT INTO {ctx.Table("bench_counts")} (tenant_id, stream_id, events, last_n, last_position) VALUES (@t, @s, 1, @n, @p)
            ON CONFLICT (tenant_id, stream_id) DO UPDATE SET events = {ctx.Table("bench_counts")}.events + 1, last_n = excluded.last_n, last_position = excluded.last_position
            """,
            ct,
            ("@t", stored.TenantId),
            ("@s", e.StreamId),
            ("@n", e.N),
            ("@p", stored.Position)));
    }

    public override Task CreateAsync(ProjectionContext context, CancellationToken ct) => context.ExecuteAsync(
        $"CREATE TABLE {context.Table("bench_counts")} (tenant_id TEXT NOT NULL, stream_id TEXT NOT NULL, events BIGINT NOT NULL, last_n INTEGER NOT NULL, last_position BIGINT NOT NULL, PRIMARY KEY (tenant_id, stream_id))",
        ct);
}

public static class BenchData
{
    public static readonly EventTypeRegistry Registry = new EventTypeRegistry().Register<BenchTick>();

    private static readonly string Note = new('n', 120);

    public static UncommittedEvent Tick(string stream, int n) =>
        new("bench.tick.v1", $$"""{"streamId":"{{stream}}","n":{{n}},"note":"{{Note}}"}""", new EventMetadata { Actor = "bench", ClientIp = "127.0.0.1", UserAgent = "koderid-bench" });
}
