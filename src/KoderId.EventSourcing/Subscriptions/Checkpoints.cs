using System.Collections.Concurrent;
using KoderId.EventSourcing.Projections;

namespace KoderId.EventSourcing.Subscriptions;

/// <summary>Where a subscription resumes from: the last position it fully handled.</summary>
public interface ICheckpointStore
{
    Task<long> LoadAsync(string name, CancellationToken ct = default);

    Task SaveAsync(string name, long position, CancellationToken ct = default);
}

public sealed class InMemoryCheckpointStore : ICheckpointStore
{
    private readonly ConcurrentDictionary<string, long> _positions = new(StringComparer.Ordinal);

    public Task<long> LoadAsync(string name, CancellationToken ct = default) =>
        Task.FromResult(_positions.TryGetValue(name, out var p) ? p : 0);

    public Task SaveAsync(string name, long position, CancellationToken ct = default)
    {
        _positions[name] = position;
        return Task.CompletedTask;
    }
}

/// <summary>Checkpoints in the read-model database's <c>checkpoints</c> table (portable SQL).</summary>
public sealed class SqlCheckpointStore(IReadModelStore readModels) : ICheckpointStore
{
    public async Task<long> LoadAsync(string name, CancellationToken ct = default)
    {
        await using var connection = await readModels.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT position FROM checkpoints WHERE name = @name";
        var p = cmd.CreateParameter();
        p.ParameterName = "@name";
        p.Value = name;
        cmd.Parameters.Add(p);
        var value = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task SaveAsync(string name, long position, CancellationToken ct = default)
    {
        await using var connection = await readModels.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var ctx = new ProjectionContext(connection, null, readModels.Dialect, "");
        await ctx.ExecuteAsync(
            """
            INSERT INTO checkpoints (name, position, updated_at) VALUES (@name, @position, @now)
            ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
            """,
            ct,
            ("@name", name),
            ("@position", position),
            ("@now", Storage.TimeStamps.ToUnixMicroseconds(DateTimeOffset.UtcNow))).ConfigureAwait(false);
    }
}
