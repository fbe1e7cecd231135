using System.Net;
using KoderId.Testing.Postgres;
using Npgsql;

namespace KoderId.Oidc.Tests.Clients;

/// <summary>The clients model on the production driver: one admin round trip.</summary>
public sealed class PostgresClientsTests
{
    [Fact]
    public async Task a_client_round_trips_on_postgres()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var connection = await cluster.CreateDatabaseAsync();
        try
        {
            await using var host = await ClientHost.StartAsync(postgres: connection);
            var (id, secret) = await host.CreateClientAsync("acme", new
            {
                name = "Shop", redirectUris = new[] { "https://shop.example.com/cb" }, grantTypes = new[] { "authorization_code", "client_credentials" }, idTokenLifetime = 300,
            });
            Assert.NotNull(secret);
            var patched = await host.Api.OkAsync(HttpMethod.Patch, $"/v1/admin/clients/{id}", "acme", new { scopes = new[] { "api" } }, "application/merge-patch+json");
            Assert.Equal(["api"], patched.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(300, patched.GetProperty("idTokenLifetime").GetInt32());
            await host.Api.OkAsync(HttpMethod.Post, $"/v1/admin/clients/{id}/secret", "acme");
            using var deleted = await host.Api.SendAsync(HttpMethod.Delete, $"/v1/admin/clients/{id}", "acme");
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            using var gone = await host.Api.SendAsync(HttpMethod.Get, $"/v1/admin/clients/{id}", "acme");
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.DropDatabaseAsync(connection);
        }
    }
}
