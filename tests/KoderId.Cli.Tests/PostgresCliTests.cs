using System.Text.Json;
using KoderId.EventSourcing.Postgres;
using KoderId.EventSourcing.Storage;
using KoderId.Testing.Postgres;
using Npgsql;

namespace KoderId.Cli.Tests;

/// <summary>The same commands against a real PostgreSQL (a throwaway cluster, or KODERID_TEST_POSTGRES).</summary>
public sealed class PostgresCliTests
{
    [Fact]
    public async Task stats_projections_and_verify_work_against_postgres_and_verify_catches_a_tampered_row()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var connection = await cluster.CreateDatabaseAsync();
        try
        {
            await using (var database = new PostgresDatabase(connection))
            {
                await database.InitializeAsync();
                await using var store = new PostgresEventStore(database);
                for (var i = 0; i < 5; i++)
                {
                    await store.AppendAsync(new AppendRequest(i % 2 == 0 ? "acme" : "globex", $"s-{i}", ExpectedVersion.NoStream,
                        [new UncommittedEvent("test.happened.v1", """{"x":1}""", EventMetadata.New("admin")), new UncommittedEvent("test.other.v1", "{}", EventMetadata.New("admin"))]));
                }
            }

            var stats = await Cli.RunAsync(["events", "stats", "--provider", "postgres", "--connection", connection, "--json"]);
            Assert.True(stats.ExitCode == 0, stats.ToString());
            Assert.Equal(10, JsonDocument.Parse(stats.Stdout).RootElement.GetProperty("totalEvents").GetInt64());

            var list = await Cli.RunAsync(["projections", "list", "--provider", "postgres", "--connection", connection]);
            Assert.True(list.ExitCode == 0, list.ToString());
            Assert.Contains("users", list.Stdout, StringComparison.Ordinal);

            var verify = await Cli.RunAsync(["audit", "verify", "--provider", "postgres", "--connection", connection]);
            Assert.True(verify.ExitCode == 0, verify.ToString());
            Assert.StartsWith("OK: 10 events", verify.StdoutLines.Single(), StringComparison.Ordinal);

            await using (var raw = new NpgsqlConnection(connection))
            {
                await raw.OpenAsync();
                await using var tamper = new NpgsqlCommand("UPDATE events SET data = '{\"x\":2}' WHERE position = 7", raw);
                await tamper.ExecuteNonQueryAsync();
            }

            var broken = await Cli.RunAsync(["audit", "verify", "--provider", "postgres", "--connection", connection]);
            Assert.Equal(3, broken.ExitCode);
            Assert.Contains("position 7", broken.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.DropDatabaseAsync(connection);
        }
    }

    [Fact]
    public async Task bootstrap_on_postgres_creates_the_default_tenant_and_one_key_then_refuses()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var connection = await cluster.CreateDatabaseAsync();
        try
        {
            var first = await Cli.RunAsync(["bootstrap", "--provider", "postgres", "--connection", connection, "--json"]);
            Assert.True(first.ExitCode == 0, first.ToString());
            Assert.True(JsonDocument.Parse(first.Stdout).RootElement.GetProperty("createdDefaultTenant").GetBoolean());

            var second = await Cli.RunAsync(["bootstrap", "--provider", "postgres", "--connection", connection]);
            Assert.Equal(1, second.ExitCode);
            Assert.StartsWith("KID4012: ", second.Stderr, StringComparison.Ordinal);

            var tail = await Cli.RunAsync(["events", "tail", "--provider", "postgres", "--connection", connection, "--json"]);
            var types = tail.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("type").GetString()!).ToArray();
            Assert.Equal(["tenant.created.v1", "api-key.created.v1"], types);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.DropDatabaseAsync(connection);
        }
    }
}
