using System.Data.Common;
using System.Globalization;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Storage;

namespace KoderId.Projections;

/// <summary>
/// What the query classes share: run one parameterised query on a read-model connection and read columns in
/// a way both SQLite (INTEGER is always Int64) and PostgreSQL (INTEGER is Int32, BIGINT Int64) agree on.
/// Instants are stored as BIGINT Unix microseconds, booleans as INTEGER 0/1.
/// </summary>
internal static class ReadModelSql
{
    public static string LiveTable(string baseName, int version) => $"{baseName}_v{version}";

    public static async Task<List<T>> QueryAsync<T>(
        IReadModelStore store,
        string sql,
        Func<DbDataReader, T> map,
        CancellationToken ct,
        params (string Name, object? Value)[] args)
    {
        await using var connection = await store.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in args)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            command.Parameters.Add(p);
        }

        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    public static long Long(this DbDataReader r, int i) => Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

    public static bool Bool(this DbDataReader r, int i) => r.Long(i) != 0;

    public static string? Text(this DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    public static DateTimeOffset Time(this DbDataReader r, int i) => TimeStamps.FromUnixMicroseconds(r.Long(i));

    public static DateTimeOffset? NullableTime(this DbDataReader r, int i) => r.IsDBNull(i) ? null : r.Time(i);

    public static long Micros(DateTimeOffset value) => TimeStamps.ToUnixMicroseconds(value);

    public static int Flag(bool value) => value ? 1 : 0;
}
