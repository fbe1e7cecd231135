using Microsoft.Data.Sqlite;

namespace KoderId.EventSourcing.Sqlite;

/// <summary>
/// Every pooled SQLite connection Koder ID opens comes from here, because Microsoft.Data.Sqlite's pool can hand out a
/// native handle that is not clean:
/// <list type="bullet">
/// <item>A <see cref="SqliteConnection"/> dropped without being disposed (collected by the GC) leaves its handle
/// "leaked"; the pool later reclaims it and lends it again <em>as it is</em>, with no reset, so a transaction the lost
/// owner had begun is still open and the next <c>BEGIN</c> fails with "cannot start a transaction within a
/// transaction". <see cref="Open"/> checks <c>sqlite3_get_autocommit</c> on every handle it is given and never uses
/// one that is inside a transaction: it clears the pool (so the handle is closed, which rolls its transaction back,
/// instead of being pooled again) and opens another.</item>
/// <item>The leak test itself races: <c>SqliteConnectionInternal.Activate</c> marks a handle active before it records
/// its owner, and <c>Deactivate</c> forgets the owner before it marks the handle inactive. A checkout that finds the
/// pool empty (or a pool clear) in that instant takes the handle for leaked and lends it to a second owner while the
/// first still drives it. Opening, closing and clearing under one process-wide lock closes that window.</item>
/// </list>
/// The lock is held only for the pool's bookkeeping (and a first open's <c>sqlite3_open_v2</c>), not for statements.
/// </summary>
public static class SqliteConnections
{
    private static readonly Lock PoolGate = new();

    /// <summary>Opens a connection whose handle is in autocommit mode (no transaction left open by anyone).</summary>
    public static SqliteConnection Open(string connectionString)
    {
        for (var attempt = 1; ; attempt++)
        {
            var connection = new GuardedConnection(connectionString);
            try
            {
                connection.Open();
            }
            catch
            {
                connection.Dispose();
                throw;
            }

            if (SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0)
            {
                return connection;
            }

            // A reclaimed handle still inside its lost owner's transaction: retire the pool so that closing this
            // connection disposes the handle (rolling the transaction back) rather than returning it to be lent again.
            lock (PoolGate)
            {
                SqliteConnection.ClearPool(connection);
            }

            connection.Dispose();
            if (attempt == 3)
            {
                throw new InvalidOperationException("SQLite kept handing out connections with an open transaction.");
            }
        }
    }

    /// <summary>Clears every pool (tests, before deleting their files) without racing the opens and closes above.</summary>
    public static void ClearAllPools()
    {
        lock (PoolGate)
        {
            SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>A connection whose open and close take their turn with every other pool operation of this process.</summary>
    private sealed class GuardedConnection(string connectionString) : SqliteConnection(connectionString)
    {
        public override void Open()
        {
            lock (PoolGate)
            {
                base.Open();
            }
        }

        public override void Close()
        {
            lock (PoolGate)
            {
                base.Close();
            }
        }
    }
}
