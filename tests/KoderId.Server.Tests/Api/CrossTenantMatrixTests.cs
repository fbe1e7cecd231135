using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace KoderId.Server.Tests.Api;

/// <summary>
/// Issue 3's cross-tenant matrix, exhaustively: tenant A's admin key against every route of every tenant-B
/// resource kind. A route naming a resource answers that resource's not-found (B's ids do not exist for A),
/// a collection answers 403 KID2002, and nothing of B changes: the log does not grow at all.
/// </summary>
public sealed class CrossTenantMatrixTests : IAsyncLifetime
{
    private const string Password = "correct horse battery staple 42";
    private ApiHost _api = null!;
    private string _acmeAdmin = null!;
    private string _user = null!;
    private string _group = null!;
    private string _role = null!;
    private string _key = null!;
    private string _globexKey = null!;

    public async Task InitializeAsync()
    {
        _api = ApiHost.Sqlite();
        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "acme", name = "Acme" }, expected: HttpStatusCode.Created);
        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "globex", name = "Globex" }, expected: HttpStatusCode.Created);
        _acmeAdmin = (await _api.OkAsync(HttpMethod.Post, "/v1/admin/api-keys", "acme", new { name = "acme admin", scopes = new[] { "admin" } }, expected: HttpStatusCode.Created))
            .GetProperty("key").GetString()!;

        _user = Id(await _api.OkAsync(HttpMethod.Post, "/v1/users", "globex", new { username = "bob", email = "bob@globex.example" }, expected: HttpStatusCode.Created));
        using (var set = await _api.SendAsync(HttpMethod.Put, $"/v1/users/{_user}/password", "globex", new { password = Password }))
        {
            Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        }

        _group = Id(await _api.OkAsync(HttpMethod.Post, "/v1/groups", "globex", new { name = "Finance" }, expected: HttpStatusCode.Created));
        _role = Id(await _api.OkAsync(HttpMethod.Post, "/v1/roles", "globex", new { name = "auditor" }, expected: HttpStatusCode.Created));
        await GroupsRolesFlow.NoContentAsync(_api, HttpMethod.Put, $"/v1/groups/{_group}/members/{_user}", "globex");
        await GroupsRolesFlow.NoContentAsync(_api, HttpMethod.Put, $"/v1/roles/{_role}/users/{_user}", "globex");
        var key = await _api.OkAsync(HttpMethod.Post, "/v1/admin/api-keys", "globex", new { name = "globex reader", scopes = new[] { "users:read" } }, expected: HttpStatusCode.Created);
        _key = key.GetProperty("apiKey").GetProperty("id").GetString()!;
        _globexKey = key.GetProperty("key").GetString()!;
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private static readonly string[] NotFoundCodes = ["KID1002", "KID1011", "KID1040", "KID1060", "KID1080"];

    public static TheoryData<string?> Tenants => new() { "globex", "nosuchtenant", null };

    [Theory]
    [MemberData(nameof(Tenants))]
    public async Task every_route_naming_a_tenant_b_resource_is_a_404_for_tenant_a_and_changes_nothing(string? tenant)
    {
        var head = await _api.HeadAsync();
        const string merge = "application/merge-patch+json";
        var routes = new (HttpMethod Method, string Path, object? Body, string MediaType, string Code)[]
        {
            // Users.
            (HttpMethod.Get, $"/v1/users/{_user}", null, "application/json", "KID1011"),
            (HttpMethod.Patch, $"/v1/users/{_user}", new { displayName = "pwned" }, merge, "KID1011"),
            (HttpMethod.Put, $"/v1/users/{_user}/email", new { email = "evil@acme.example" }, "application/json", "KID1011"),
            (HttpMethod.Post, $"/v1/users/{_user}/email/verify", new { email = "bob@globex.example" }, "application/json", "KID1011"),
            (HttpMethod.Post, $"/v1/users/{_user}/disable", new { reason = "x" }, "application/json", "KID1011"),
            (HttpMethod.Post, $"/v1/users/{_user}/enable", null, "application/json", "KID1011"),
            (HttpMethod.Delete, $"/v1/users/{_user}", null, "application/json", "KID1011"),
            (HttpMethod.Post, $"/v1/users/{_user}/restore", null, "application/json", "KID1011"),
            (HttpMethod.Post, $"/v1/users/{_user}/erase", null, "application/json", "KID1011"),
            (HttpMethod.Get, $"/v1/users/{_user}/roles", null, "application/json", "KID1011"),

            // Credentials.
            (HttpMethod.Put, $"/v1/users/{_user}/password", new { password = "a brand new passphrase 99" }, "application/json", "KID1011"),
            (HttpMethod.Post, $"/v1/users/{_user}/password/change", new { currentPassword = Password, newPassword = "a brand new passphrase 99" }, "application/json", "KID1011"),

            // Groups.
            (HttpMethod.Get, $"/v1/groups/{_group}", null, "application/json", "KID1040"),
            (HttpMethod.Patch, $"/v1/groups/{_group}", new { name = "pwned" }, merge, "KID1040"),
            (HttpMethod.Get, $"/v1/groups/{_group}/members", null, "application/json", "KID1040"),
            (HttpMethod.Put, $"/v1/groups/{_group}/members/{_user}", null, "application/json", "KID1040"),
            (HttpMethod.Delete, $"/v1/groups/{_group}/members/{_user}", null, "application/json", "KID1040"),
            (HttpMethod.Delete, $"/v1/groups/{_group}", null, "application/json", "KID1040"),

            // Roles.
            (HttpMethod.Get, $"/v1/roles/{_role}", null, "application/json", "KID1060"),
            (HttpMethod.Put, $"/v1/roles/{_role}/users/{_user}", null, "application/json", "KID1060"),
            (HttpMethod.Delete, $"/v1/roles/{_role}/users/{_user}", null, "application/json", "KID1060"),
            (HttpMethod.Put, $"/v1/roles/{_role}/groups/{_group}", null, "application/json", "KID1060"),
            (HttpMethod.Delete, $"/v1/roles/{_role}/groups/{_group}", null, "application/json", "KID1060"),
            (HttpMethod.Delete, $"/v1/roles/{_role}", null, "application/json", "KID1060"),

            // API keys.
            (HttpMethod.Get, $"/v1/admin/api-keys/{_key}", null, "application/json", "KID1080"),
            (HttpMethod.Delete, $"/v1/admin/api-keys/{_key}", null, "application/json", "KID1080"),

            // Tenant settings: the route names the tenant, whatever the header says.
            (HttpMethod.Get, "/v1/admin/tenants/globex/settings", null, "application/json", "KID1002"),
            (HttpMethod.Patch, "/v1/admin/tenants/globex/settings", new { password = new { minLength = 8 } }, merge, "KID1002"),
        };

        foreach (var (method, path, body, mediaType, code) in routes)
        {
            using var response = await SendAsync(method, path, tenant, body, mediaType);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} as acme with X-Tenant-ID {tenant ?? "(none)"}: {(int)response.StatusCode} {text}");
            var problem = JsonDocument.Parse(text).RootElement;
            if (tenant is null)
            {
                // A's own tenant: B's ids simply do not exist there, and a route with two ids may look the other up first.
                Assert.Contains(problem.GetProperty("code").GetString(), NotFoundCodes);
            }
            else
            {
                await ApiHost.ProblemAsync(response, HttpStatusCode.NotFound, code);
            }

            Assert.DoesNotContain("bob", text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(head, await _api.HeadAsync());
        await AssertGlobexUnchangedAsync();
    }

    [Theory]
    [InlineData("globex")]
    [InlineData("nosuchtenant")]
    public async Task every_tenant_b_collection_is_a_403_for_tenant_a(string tenant)
    {
        var head = await _api.HeadAsync();
        var routes = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, "/v1/users", null),
            (HttpMethod.Get, $"/v1/users?group={_group}", null),
            (HttpMethod.Post, "/v1/users", new { username = "intruder" }),
            (HttpMethod.Get, "/v1/groups", null),
            (HttpMethod.Post, "/v1/groups", new { name = "Intruders" }),
            (HttpMethod.Get, "/v1/roles", null),
            (HttpMethod.Post, "/v1/roles", new { name = "intruder" }),
            (HttpMethod.Get, "/v1/admin/api-keys", null),
            (HttpMethod.Post, "/v1/admin/api-keys", new { name = "backdoor", scopes = new[] { "admin" } }),
            (HttpMethod.Get, "/v1/admin/audit", null),
            (HttpMethod.Get, $"/v1/admin/audit?subject={_user}", null),

            // The tenants collection and its items are the system admin's alone.
            (HttpMethod.Get, "/v1/admin/tenants", null),
            (HttpMethod.Get, "/v1/admin/tenants/globex", null),
            (HttpMethod.Post, "/v1/admin/tenants/globex/block", new { reason = "pwned" }),
        };

        foreach (var (method, path, body) in routes)
        {
            using var response = await SendAsync(method, path, tenant, body, "application/json");
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} as acme with X-Tenant-ID {tenant}: {(int)response.StatusCode} {text}");
            await ApiHost.ProblemAsync(response, HttpStatusCode.Forbidden, "KID2002");
        }

        Assert.Equal(head, await _api.HeadAsync());
        await AssertGlobexUnchangedAsync();
    }

    [Fact]
    public async Task tenant_a_reads_its_own_audit_trail_and_never_an_entry_of_tenant_b()
    {
        // The audit model is async: wait until acme's own trail shows its key's creation, then look for globex in it.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement[] items;
        do
        {
            using var response = await SendAsync(HttpMethod.Get, $"/v1/admin/audit?limit=500", tenant: null, body: null, "application/json");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            items = [.. JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items").EnumerateArray()];
            if (items.Any(i => i.GetProperty("eventType").GetString() == "api-key.created.v1"))
            {
                break;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Contains(items, i => i.GetProperty("eventType").GetString() == "api-key.created.v1");
        Assert.All(items, i => Assert.Equal("acme", i.GetProperty("tenantId").GetString()));
        var text = string.Join("\n", items.Select(i => i.GetRawText()));
        foreach (var id in new[] { _user, _group, _role, _key })
        {
            Assert.DoesNotContain(id, text, StringComparison.Ordinal);
        }

        using var bySubject = await SendAsync(HttpMethod.Get, $"/v1/admin/audit?subject={_user}", tenant: null, body: null, "application/json");
        Assert.Equal(0, JsonDocument.Parse(await bySubject.Content.ReadAsStringAsync()).RootElement.GetProperty("items").GetArrayLength());
    }

    private async Task AssertGlobexUnchangedAsync()
    {
        var user = await _api.OkAsync(HttpMethod.Get, $"/v1/users/{_user}", "globex");
        Assert.Equal("active", user.GetProperty("status").GetString());
        Assert.Equal("bob@globex.example", user.GetProperty("email").GetString());
        Assert.Equal(JsonValueKind.Null, user.GetProperty("displayName").ValueKind);
        Assert.Equal("Finance", (await _api.OkAsync(HttpMethod.Get, $"/v1/groups/{_group}", "globex")).GetProperty("name").GetString());
        Assert.Equal([_user], (await _api.OkAsync(HttpMethod.Get, $"/v1/groups/{_group}/members", "globex")).GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(["auditor"], (await _api.OkAsync(HttpMethod.Get, $"/v1/users/{_user}/roles", "globex")).GetProperty("items").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        Assert.False((await _api.OkAsync(HttpMethod.Get, $"/v1/admin/api-keys/{_key}", "globex")).GetProperty("revoked").GetBoolean());
        Assert.Equal(12, (await _api.OkAsync(HttpMethod.Get, "/v1/admin/tenants/globex/settings")).GetProperty("password").GetProperty("minLength").GetInt32());
        Assert.Equal("active", (await _api.OkAsync(HttpMethod.Get, "/v1/admin/tenants/globex")).GetProperty("status").GetString());

        var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/v1/users/{_user}", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _globexKey);
        using var own = await _api.Anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? tenant, object? body, string mediaType)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _acmeAdmin);
        if (tenant is not null)
        {
            request.Headers.Add("X-Tenant-ID", tenant);
        }

        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        }

        return _api.Anonymous.SendAsync(request);
    }

    private static string Id(JsonElement resource) => resource.GetProperty("id").GetString()!;
}
