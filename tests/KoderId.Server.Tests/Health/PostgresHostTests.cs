using System.Net;
using KoderId.EventSourcing.Projections;
using KoderId.Server.Tests.Infrastructure;
using KoderId.Testing.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace KoderId.Server.Tests.Health;

/// <summary>The host on the production driver: a real PostgreSQL (throwaway cluster or KODERID_TEST_POSTGRES).</summary>
public sealed class PostgresHostTests
{
    [Fact]
    public async Task the_host_starts_on_postgres_builds_its_projections_and_is_ready()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var connection = await cluster.CreateDatabaseAsync();
        try
        {
            await using (var factory = KoderIdFactory.Postgres(connection))
            {
                using var response = await factory.CreateClient().GetAsync(new Uri("/readyz", UriKind.Relative));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);

                var statuses = await factory.Services.GetRequiredService<ProjectionManager>().ListAsync();
                Assert.NotEmpty(statuses);
                Assert.All(statuses, s => Assert.Equal(s.Version, s.BuiltVersion));
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.DropDatabaseAsync(connection);
        }
    }
}
