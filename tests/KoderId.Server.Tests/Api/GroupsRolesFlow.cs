using System.Net;

namespace KoderId.Server.Tests.Api;

/// <summary>Group, role and memberships through the API, ending in the user's effective roles; shared by both drivers.</summary>
internal static class GroupsRolesFlow
{
    public static async Task RunAsync(ApiHost api)
    {
        await api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "acme", name = "Acme" }, expected: HttpStatusCode.Created);
        var user = await api.OkAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "alice" }, expected: HttpStatusCode.Created);
        var userId = user.GetProperty("id").GetString()!;

        var group = await api.OkAsync(HttpMethod.Post, "/v1/groups", "acme", new { name = "Engineering" }, expected: HttpStatusCode.Created);
        var groupId = group.GetProperty("id").GetString()!;
        var direct = await api.OkAsync(HttpMethod.Post, "/v1/roles", "acme", new { name = "auditor" }, expected: HttpStatusCode.Created);
        var viaGroup = await api.OkAsync(HttpMethod.Post, "/v1/roles", "acme", new { name = "deployer" }, expected: HttpStatusCode.Created);
        var unused = await api.OkAsync(HttpMethod.Post, "/v1/roles", "acme", new { name = "owner" }, expected: HttpStatusCode.Created);

        await NoContentAsync(api, HttpMethod.Put, $"/v1/groups/{groupId}/members/{userId}");
        await NoContentAsync(api, HttpMethod.Put, $"/v1/roles/{direct.GetProperty("id").GetString()}/users/{userId}");
        await NoContentAsync(api, HttpMethod.Put, $"/v1/roles/{viaGroup.GetProperty("id").GetString()}/groups/{groupId}");

        var members = await api.OkAsync(HttpMethod.Get, $"/v1/groups/{groupId}/members", "acme");
        Assert.Equal([userId], members.GetProperty("members").EnumerateArray().Select(m => m.GetString()));

        // The users list filters by group, alone and with the other filters.
        await api.OkAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "bob" }, expected: HttpStatusCode.Created);
        Assert.Equal(["alice"], await UsernamesAsync(api, $"group={groupId}"));
        Assert.Equal(["alice"], await UsernamesAsync(api, $"group={groupId}&username=ALICE&status=active"));
        Assert.Empty(await UsernamesAsync(api, $"group={groupId}&username=bob"));
        Assert.Empty(await UsernamesAsync(api, $"group={groupId}&status=disabled"));
        Assert.Empty(await UsernamesAsync(api, "group=no-such-group"));
        Assert.Equal(["alice", "bob"], (await UsernamesAsync(api, "")).Order());

        var effective = await api.OkAsync(HttpMethod.Get, $"/v1/users/{userId}/roles", "acme");
        Assert.Equal(["auditor", "deployer"], effective.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("name").GetString()));

        var renamed = await api.OkAsync(HttpMethod.Patch, $"/v1/groups/{groupId}", "acme", new { name = "Platform" }, "application/merge-patch+json");
        Assert.Equal("Platform", renamed.GetProperty("name").GetString());

        await NoContentAsync(api, HttpMethod.Delete, $"/v1/groups/{groupId}/members/{userId}");
        effective = await api.OkAsync(HttpMethod.Get, $"/v1/users/{userId}/roles", "acme");
        Assert.Equal(["auditor"], effective.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("name").GetString()));

        await NoContentAsync(api, HttpMethod.Delete, $"/v1/roles/{unused.GetProperty("id").GetString()}");
        var roles = await api.OkAsync(HttpMethod.Get, "/v1/roles", "acme");
        Assert.Equal(2, roles.GetProperty("items").GetArrayLength());
        await NoContentAsync(api, HttpMethod.Delete, $"/v1/groups/{groupId}");
        using var gone = await api.SendAsync(HttpMethod.Get, $"/v1/groups/{groupId}", "acme");
        await ApiHost.ProblemAsync(gone, HttpStatusCode.NotFound, "KID1040");
    }

    private static async Task<string[]> UsernamesAsync(ApiHost api, string query)
    {
        var page = await api.OkAsync(HttpMethod.Get, "/v1/users?" + query, "acme");
        return [.. page.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("username").GetString()!)];
    }

    public static async Task NoContentAsync(ApiHost api, HttpMethod method, string path, string tenant = "acme")
    {
        using var response = await api.SendAsync(method, path, tenant);
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
