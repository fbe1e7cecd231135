using KoderId.Domain.Keys;
using KoderId.Oidc.Common;
using KoderId.Oidc.Keys;
using KoderId.Oidc.Tests.Infrastructure;
using KoderId.Server.Tests.Infrastructure;
using KoderId.Testing.Postgres;
using Npgsql;

namespace KoderId.Oidc.Tests.Keys;

/// <summary>Keys on the production driver: sealed rows in <c>signing_key_material</c>, the projection, two nodes.</summary>
public sealed class PostgresKeysTests
{
    [Fact]
    public async Task keys_are_sealed_in_postgres_and_a_second_node_signs_with_the_same_keys()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var connection = await cluster.CreateDatabaseAsync();
        try
        {
            await using var nodeA = await OidcHost.StartAsync(s => KoderIdFactory.Postgres(connection, s), null, "acme");
            var token = await nodeA.Get<ITokenSigner>().SignAsync("acme", SigningAlgorithms.ES256, "at+jwt", new Dictionary<string, object?>
            {
                ["iss"] = "http://acme.localhost",
                ["exp"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(),
            });
            var jwks = await nodeA.JsonAsync("acme.localhost", OidcPaths.Keys);

            await using (var db = new NpgsqlConnection(connection))
            {
                await db.OpenAsync();
                await using var cmd = new NpgsqlCommand("SELECT count(*), min(length(sealed_key)) FROM signing_key_material WHERE tenant_id = 'acme'", db);
                await using var reader = await cmd.ExecuteReaderAsync();
                Assert.True(await reader.ReadAsync());
                Assert.Equal(2L, reader.GetInt64(0));
                Assert.True(reader.GetInt32(1) > 29);
            }

            await using var nodeB = await OidcHost.StartAsync(s => KoderIdFactory.Postgres(connection, s), null);
            Assert.Equal(jwks.GetRawText(), (await nodeB.JsonAsync("acme.localhost", OidcPaths.Keys)).GetRawText());
            Assert.True((await nodeB.Get<JwtValidator>().ValidateAsync("acme", "http://acme.localhost", token)).Succeeded);
            var fromB = await nodeB.Get<ITokenSigner>().SignAsync("acme", SigningAlgorithms.ES256, "at+jwt", new Dictionary<string, object?>
            {
                ["iss"] = "http://acme.localhost",
                ["exp"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(),
            });
            Assert.Equal(token.Split('.')[0], fromB.Split('.')[0]);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.DropDatabaseAsync(connection);
        }
    }
}
