using KoderId.Testing.Postgres;
using Npgsql;

namespace KoderId.Server.Tests.Api;

/// <summary>The admin API's main flow on the production driver.</summary>
public sealed class PostgresAdminApiTests
{
    [Fact]
    public async Task the_main_flow_runs_on_postgres()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var connection = await cluster.CreateDatabaseAsync();
        try
        {
            await using var api = ApiHost.Postgres(connection);
            await UserLifecycle.RunAsync(api);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.DropDatabaseAsync(connection);
        }
    }
}
