using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using KoderId.EventSourcing.Storage;
using Npgsql;

namespace KoderId.EventSourcing.Postgres;

/// <summary>Turns driver failures into <see cref="EventStoreUnavailableException"/> (KID3006) without connection details.</summary>
internal static class PostgresErrors
{
    public static EventStoreUnavailableException Unavailable(string operation, NpgsqlException ex) => ex switch
    {
        // The SQLSTATE names the failure; the server's text stays in the inner exception (it may quote values).
        PostgresException pg => new EventStoreUnavailableException($"PostgreSQL {operation} failed ({pg.SqlState}).", ex),
        _ => new EventStoreUnavailableException($"PostgreSQL {operation} failed: the server could not be reached or the connection broke.", ex),
    };
}

/// <summary>The advisory-lock keys of the driver. Advisory locks are per database, so two stores on one server never collide.</summary>
internal static class AdvisoryLocks
{
    /// <summary>Held (transaction-scoped) by every append and by <c>BeginExclusiveAsync</c>. "KIDAPPND".</summary>
    public const long Append = 0x4B49_4441_5050_4E44;

    /// <summary>Held (transaction-scoped) while the schema scripts run. "KIDSCHEM".</summary>
    public const long Schema = 0x4B49_4453_4348_454D;

    /// <summary>A stable 64-bit key for a named lease: the first 8 bytes of SHA-256("koderid.lease:" + name).</summary>
    public static long Lease(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("koderid.lease:" + name));
        return BinaryPrimitives.ReadInt64BigEndian(hash);
    }
}
