using System.Net;
using KoderId.Oidc.Tests.Clients;
using KoderId.Oidc.Tests.Conformance;
using KoderId.Testing.Postgres;
using Npgsql;

namespace KoderId.Oidc.Tests.Sessions;

/// <summary>The hot-path reads (one statement over four models) and the revocations on the production driver.</summary>
public sealed class PostgresRevocationTests
{
    [Fact]
    public async Task tokens_introspect_and_revocations_take_effect_on_postgres()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var connection = await cluster.CreateDatabaseAsync();
        try
        {
            await using var host = await OidcHost.StartAsync(connection);
            var (browser, tokens) = await host.SignInForTokensAsync();
            browser.Dispose();
            var access = tokens.GetProperty("access_token").GetString()!;
            var refresh = tokens.GetProperty("refresh_token").GetString()!;
            var client = await host.ClientCredentialsTokenAsync();
            Assert.True(await host.IsActiveAsync(access));
            Assert.True(await host.IsActiveAsync(refresh));
            Assert.True(await host.IsActiveAsync(client));
            using (var userinfo = await host.BearerAsync(HttpMethod.Get, OidcHost.Issuer + "/oidc/v1/userinfo", access))
            {
                Assert.Equal(HttpStatusCode.OK, userinfo.StatusCode);
            }

            using (var revoked = await host.RevokeAsync(client))
            {
                Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
            }

            Assert.False(await host.IsActiveAsync(client));
            using (var everywhere = await host.BearerAsync(HttpMethod.Delete, OidcHost.Issuer + "/v1/sessions", access))
            {
                Assert.Equal(HttpStatusCode.OK, everywhere.StatusCode);
            }

            Assert.False(await host.IsActiveAsync(access));
            Assert.False(await host.IsActiveAsync(refresh));
            using var refreshed = await host.RefreshAsync(refresh);
            Assert.Equal("invalid_grant", (await ClientHost.JsonAsync(refreshed, HttpStatusCode.BadRequest)).GetProperty("error").GetString());
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.DropDatabaseAsync(connection);
        }
    }
}
