using System.Runtime.CompilerServices;
using KoderId.EventSourcing.Storage;
using Microsoft.Data.Sqlite;

namespace KoderId.EventSourcing.Sqlite.Tests;

/// <summary>
/// What the driver is given by Microsoft.Data.Sqlite's pool: a handle whose owner was lost inside a transaction comes
/// back from the pool as it was (CI once failed with "cannot start a transaction within a transaction").
/// </summary>
public sealed class SqlitePoolTests : IDisposable
{
    private readonly string _folder = TempFolder.Create();

    public void Dispose()
    {
        SqliteConnections.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task a_handle_lost_inside_a_transaction_is_never_lent_again_and_the_append_path_still_writes()
    {
        var database = new SqliteDatabase($"Data Source={Path.Combine(_folder, "pool.db")}");
        await database.InitializeAsync();
        await LoseAConnectionInsideATransactionAsync(database);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // The pool lends a lost handle again when it is empty and holds an even number of handles: the second and third
        // opens here would get it. Every one must be outside any transaction and able to begin its own.
        var held = new List<SqliteConnection>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var connection = await database.OpenAsync();
                held.Add(connection);
                Assert.NotEqual(0, SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle));
            }

            foreach (var connection in held)
            {
                await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
                await tx.RollbackAsync();
            }
        }
        finally
        {
            foreach (var connection in held)
            {
                await connection.DisposeAsync();
            }
        }

        // The lost transaction held no lock that outlives it: the log still takes an append.
        await using var store = new SqliteEventStore(database);
        var result = await store.AppendAsync(new AppendRequest("t1", "s1", ExpectedVersion.NoStream,
            [new UncommittedEvent("test.happened.v1", "{}", EventMetadata.New())]));
        Assert.Equal(1, result.StreamVersion);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task LoseAConnectionInsideATransactionAsync(SqliteDatabase database)
    {
        var connection = await database.OpenAsync();
        await using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN; SELECT count(*) FROM events;";
        await begin.ExecuteScalarAsync();
        Assert.Equal(0, SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle));

        // Not disposed: the owner is dropped as a forgotten async enumerator would drop it.
    }
}
