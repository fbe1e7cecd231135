using System.Net;
using KoderId.Testing.Postgres;
using Npgsql;

namespace KoderId.Server.Tests.Api;

public sealed class GroupsRolesApiTests : IAsyncLifetime
{
    private ApiHost _api = null!;

    public async Task InitializeAsync()
    {
        _api = ApiHost.Sqlite();
        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "beta", name = "Beta" }, expected: HttpStatusCode.Created);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task group_role_and_membership_give_the_effective_roles_on_sqlite()
    {
        await using var api = ApiHost.Sqlite();
        await GroupsRolesFlow.RunAsync(api);
    }

    [Fact]
    public async Task group_role_and_membership_give_the_effective_roles_on_postgres()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var connection = await cluster.CreateDatabaseAsync();
        try
        {
            await using var api = ApiHost.Postgres(connection);
            await GroupsRolesFlow.RunAsync(api);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.DropDatabaseAsync(connection);
        }
    }

    [Fact]
    public async Task fifty_concurrent_creations_of_one_role_name_give_one_201_and_49_409()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => _api.SendAsync(HttpMethod.Post, "/v1/roles", "beta", new { name = "admin" })));
        try
        {
            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
            var conflicts = responses.Where(r => r.StatusCode != HttpStatusCode.Created).ToArray();
            Assert.Equal(49, conflicts.Length);
            foreach (var conflict in conflicts)
            {
                await ApiHost.ProblemAsync(conflict, HttpStatusCode.Conflict, "KID1061");
            }
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }

        var roles = await _api.OkAsync(HttpMethod.Get, "/v1/roles", "beta");
        Assert.Equal(1, roles.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task a_duplicate_group_name_is_409_and_an_unknown_group_404()
    {
        await _api.OkAsync(HttpMethod.Post, "/v1/groups", "beta", new { name = "Ops" }, expected: HttpStatusCode.Created);
        using var duplicate = await _api.SendAsync(HttpMethod.Post, "/v1/groups", "beta", new { name = "ops" });
        await ApiHost.ProblemAsync(duplicate, HttpStatusCode.Conflict, "KID1041");
        using var missing = await _api.SendAsync(HttpMethod.Get, "/v1/groups/nope", "beta");
        await ApiHost.ProblemAsync(missing, HttpStatusCode.NotFound, "KID1040");
        using var unknownMember = await _api.SendAsync(HttpMethod.Put, "/v1/groups/nope/members/nobody", "beta");
        Assert.Equal(HttpStatusCode.NotFound, unknownMember.StatusCode);
    }

    [Fact]
    public async Task an_unknown_field_in_a_role_body_is_refused()
    {
        using var response = await _api.SendAsync(HttpMethod.Post, "/v1/roles", "beta", new { name = "x", colour = "red" });
        await ApiHost.ProblemAsync(response, HttpStatusCode.BadRequest, "KID2004");
    }

    [Fact]
    public async Task the_effective_roles_of_an_unknown_user_are_404()
    {
        using var response = await _api.SendAsync(HttpMethod.Get, "/v1/users/nobody/roles", "beta");
        await ApiHost.ProblemAsync(response, HttpStatusCode.NotFound, "KID1011");
    }
}
