using System.Data.Common;
using KoderId.EventSourcing.Storage;

namespace KoderId.EventSourcing.Projections;

public sealed record ProjectionStateRow(string Name, int Version, long Position, IReadOnlyList<string> Tables, ProjectionLifecycle Lifecycle);

/// <summary>
/// The bookkeeping tables shared by every SQL driver (portable SQL: SQLite 3.24+ and PostgreSQL both accept it).
/// <c>projection_state</c> holds each projection's built version, position and live table names;
/// <c>checkpoints</c> holds plain subscription positions.
/// </summary>
public static class ProjectionStateSql
{
    public const string CreateTables = """
        CREATE TABLE IF NOT EXISTS projection_state (
            name TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            position BIGINT NOT NULL,
            tables TEXT NOT NULL,
            lifecycle TEXT NOT NULL,
            updated_at BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS checkpoints (
            name TEXT PRIMARY KEY,
            position BIGINT NOT NULL,
            updated_at BIGINT NOT NULL);
        """;

    internal const string AdvanceInline = "UPDATE projection_state SET position = @position, updated_at = @now WHERE lifecycle = 'inline' AND position < @position";

    internal const string AdvanceOne = "UPDATE projection_state SET position = @position, updated_at = @now WHERE name = @name AND position = @expected";

    internal const string Upsert = """
        INSERT INTO projection_state (name, version, position, tables, lifecycle, updated_at)
        VALUES (@name, @version, @position, @tables, @lifecycle, @now)
        ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = excluded.position,
            tables = excluded.tables, lifecycle = excluded.lifecycle, updated_at = excluded.updated_at
        """;

    public static async Task<IReadOnlyDictionary<string, ProjectionStateRow>> ReadAllAsync(DbConnection connection, DbTransaction? tx, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT name, version, position, tables, lifecycle FROM projection_state";
        var rows = new Dictionary<string, ProjectionStateRow>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var name = reader.GetString(0);
            rows[name] = new ProjectionStateRow(
                name,
                Convert.ToInt32(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture),
                Convert.ToInt64(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture),
                reader.GetString(3).Split(',', StringSplitOptions.RemoveEmptyEntries),
                reader.GetString(4) == "inline" ? ProjectionLifecycle.Inline : ProjectionLifecycle.Async);
        }

        return rows;
    }

    internal static string LifecycleName(ProjectionLifecycle lifecycle) => lifecycle == ProjectionLifecycle.Inline ? "inline" : "async";

    internal static long Now() => TimeStamps.ToUnixMicroseconds(DateTimeOffset.UtcNow);
}
