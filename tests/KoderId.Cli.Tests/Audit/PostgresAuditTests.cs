using System.Text.Json;
using KoderId.EventSourcing.Postgres;
using KoderId.Testing.Audit;
using KoderId.Testing.Postgres;
using Npgsql;
using H = KoderId.Testing.Audit.ScriptedHistory;

namespace KoderId.Cli.Tests.Audit;

/// <summary>Replay, as-of and verify against a real PostgreSQL holding the scripted history.</summary>
public sealed class PostgresAuditTests
{
    [Fact]
    public async Task on_postgres_an_erased_history_replays_and_verifies_and_a_tampered_row_is_named()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var connection = await cluster.CreateDatabaseAsync();
        try
        {
            await using (var database = new PostgresDatabase(connection))
            {
                await database.InitializeAsync();
                await using var store = new PostgresEventStore(database);
                await new ScriptedHistory(store, new PostgresSubjectKeyStore(database)).WriteAsync(erase: true);
            }

            string[] pg = ["--provider", "postgres", "--connection", connection];
            var replay = await Cli.RunAsync(["audit", "replay", "--tenant", H.Acme, "--subject", H.Alice, "--json", .. pg]);
            Assert.True(replay.ExitCode == 0, replay.ToString());
            Assert.Equal(14, replay.StdoutLines.Length);
            Assert.Contains(replay.StdoutLines, l => l.Contains("\"username\":\"[erased]\"", StringComparison.Ordinal));

            var asOf = await Cli.RunAsync(["audit", "as-of", "2026-01-05T13:30:00Z", "user", H.Alice, "--tenant", H.Acme, "--json", .. pg]);
            Assert.True(asOf.ExitCode == 0, asOf.ToString());
            Assert.Equal(2, JsonDocument.Parse(asOf.Stdout).RootElement.GetProperty("roles").GetArrayLength());

            var verify = await Cli.RunAsync(["audit", "verify", .. pg]);
            Assert.True(verify.ExitCode == 0, verify.ToString());
            Assert.StartsWith("OK: 22 events", verify.StdoutLines.Single(), StringComparison.Ordinal);

            long position;
            await using (var raw = new NpgsqlConnection(connection))
            {
                await raw.OpenAsync();
                await using var find = new NpgsqlCommand("SELECT position FROM events WHERE event_type = 'user.disabled.v1'", raw);
                position = (long)(await find.ExecuteScalarAsync())!;
                await using var tamper = new NpgsqlCommand($"UPDATE events SET data = replace(data, 'left', 'on holiday') WHERE position = {position}", raw);
                Assert.Equal(1, await tamper.ExecuteNonQueryAsync());
            }

            var broken = await Cli.RunAsync(["audit", "verify", "--tenant", H.Acme, "--json", .. pg]);
            Assert.Equal(3, broken.ExitCode);
            var link = JsonDocument.Parse(broken.Stdout).RootElement.GetProperty("brokenLink");
            Assert.Equal(position, link.GetProperty("position").GetInt64());
            Assert.Equal("user-acme-alice", link.GetProperty("streamId").GetString());
            Assert.NotEqual(link.GetProperty("expectedHash").GetString(), link.GetProperty("foundHash").GetString());
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.DropDatabaseAsync(connection);
        }
    }
}
