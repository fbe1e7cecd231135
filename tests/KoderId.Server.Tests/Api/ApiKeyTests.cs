using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KoderId.Testing.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Serilog.Core;
using Serilog.Events;

namespace KoderId.Server.Tests.Api;

public sealed class SqliteApiKeyTests : ApiKeyTests
{
    protected override Task<ApiHost> CreateHostAsync(Action<IServiceCollection> services) => Task.FromResult(ApiHost.Sqlite(services));
}

public sealed class PostgresApiKeyTests : ApiKeyTests
{
    private PostgresCluster? _cluster;
    private string? _connection;

    protected override async Task<ApiHost> CreateHostAsync(Action<IServiceCollection> services)
    {
        _cluster = await PostgresCluster.SharedAsync();
        _connection = await _cluster.CreateDatabaseAsync();
        return ApiHost.Postgres(_connection, services);
    }

    protected override async Task DropAsync()
    {
        if (_cluster is not null && _connection is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await _cluster.DropDatabaseAsync(_connection);
        }
    }
}

/// <summary>API keys end to end, enrolled by each storage driver.</summary>
public abstract class ApiKeyTests : IAsyncLifetime
{
    private readonly CapturedLogs _logs = new();
    private ApiHost _api = null!;

    protected abstract Task<ApiHost> CreateHostAsync(Action<IServiceCollection> services);

    protected virtual Task DropAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _api = await CreateHostAsync(s => s.AddSingleton<ILogEventSink>(_logs));
        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "acme", name = "Acme" }, expected: HttpStatusCode.Created);
        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "globex", name = "Globex" }, expected: HttpStatusCode.Created);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await DropAsync();
    }

    [Fact]
    public async Task a_key_is_created_used_and_revoked_after_which_it_is_a_401()
    {
        var (key, id) = await CreateKeyAsync("acme", "users:read", "users:write");
        Assert.Matches("^kid_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$", key);

        using var created = await SendAsync(key, HttpMethod.Post, "/v1/users", "acme", new { username = "alice" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var list = await SendAsync(key, HttpMethod.Get, "/v1/users", "acme");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);

        await _api.OkAsync(HttpMethod.Delete, $"/v1/admin/api-keys/{id}", "acme");
        using var after = await SendAsync(key, HttpMethod.Get, "/v1/users", "acme");
        await ApiHost.ProblemAsync(after, HttpStatusCode.Unauthorized, "KID2001");
    }

    [Fact]
    public async Task the_actor_of_a_write_with_a_key_is_the_key()
    {
        var (key, id) = await CreateKeyAsync("acme", "admin");
        using var created = await SendAsync(key, HttpMethod.Post, "/v1/users", "acme", new { username = "bob" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var items = await _api.AuditAsync($"actor=api-key:{id}", i => i.Length > 0);
        Assert.Contains(items, e => e.GetProperty("eventType").GetString() == "user.created.v1");
    }

    [Fact]
    public async Task an_expired_key_is_a_401()
    {
        var body = new { name = "short", scopes = new[] { "users:read" }, expiresAt = DateTimeOffset.UtcNow.AddSeconds(2) };
        var created = await _api.OkAsync(HttpMethod.Post, "/v1/admin/api-keys", "acme", body, expected: HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        using var before = await SendAsync(key, HttpMethod.Get, "/v1/users", "acme");
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        using var after = await SendAsync(key, HttpMethod.Get, "/v1/users", "acme");
        await ApiHost.ProblemAsync(after, HttpStatusCode.Unauthorized, "KID2001");

        using var past = await _api.SendAsync(HttpMethod.Post, "/v1/admin/api-keys", "acme",
            new { name = "past", scopes = new[] { "users:read" }, expiresAt = DateTimeOffset.UtcNow.AddDays(-1) });
        await ApiHost.ProblemAsync(past, HttpStatusCode.BadRequest, "KID1084");
    }

    [Fact]
    public async Task a_wrong_secret_with_a_valid_id_answers_exactly_like_an_unknown_id()
    {
        var (key, _) = await CreateKeyAsync("acme", "admin");
        var wrongSecret = key[..^4] + (key.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        var unknownId = "kid_" + new string('0', 32) + key[^44..];

        using var wrong = await SendAsync(wrongSecret, HttpMethod.Get, "/v1/users", "acme");
        using var unknown = await SendAsync(unknownId, HttpMethod.Get, "/v1/users", "acme");
        using var garbage = await SendAsync("kid_nonsense", HttpMethod.Get, "/v1/users", "acme");
        var a = await ApiHost.ProblemAsync(wrong, HttpStatusCode.Unauthorized, "KID2001");
        var b = await ApiHost.ProblemAsync(unknown, HttpStatusCode.Unauthorized, "KID2001");
        await ApiHost.ProblemAsync(garbage, HttpStatusCode.Unauthorized, "KID2001");
        Assert.Equal(Strip(a), Strip(b));
        Assert.Equal(wrong.Headers.WwwAuthenticate.ToString(), unknown.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task a_read_scope_cannot_write_and_a_users_scope_cannot_read_the_audit_or_manage_keys()
    {
        var (reader, _) = await CreateKeyAsync("acme", "users:read");
        using var post = await SendAsync(reader, HttpMethod.Post, "/v1/users", "acme", new { username = "mallory" });
        await ApiHost.ProblemAsync(post, HttpStatusCode.Forbidden, "KID2002");
        using var audit = await SendAsync(reader, HttpMethod.Get, "/v1/admin/audit", "acme");
        await ApiHost.ProblemAsync(audit, HttpStatusCode.Forbidden, "KID2002");
        using var keys = await SendAsync(reader, HttpMethod.Get, "/v1/admin/api-keys", "acme");
        await ApiHost.ProblemAsync(keys, HttpStatusCode.Forbidden, "KID2002");
        using var tenants = await SendAsync(reader, HttpMethod.Get, "/v1/admin/tenants");
        await ApiHost.ProblemAsync(tenants, HttpStatusCode.Forbidden, "KID2002");

        var (writer, _) = await CreateKeyAsync("acme", "users:write");
        using var get = await SendAsync(writer, HttpMethod.Get, "/v1/users", "acme");
        await ApiHost.ProblemAsync(get, HttpStatusCode.Forbidden, "KID2002");

        var (auditor, _) = await CreateKeyAsync("acme", "audit:read");
        using var auditOk = await SendAsync(auditor, HttpMethod.Get, "/v1/admin/audit", "acme");
        Assert.Equal(HttpStatusCode.OK, auditOk.StatusCode);
    }

    [Fact]
    public async Task a_tenant_admin_key_manages_its_own_keys_but_cannot_make_system_keys_or_tenants_admin()
    {
        var (admin, _) = await CreateKeyAsync("acme", "admin");
        using var created = await SendAsync(admin, HttpMethod.Post, "/v1/admin/api-keys", "acme", new { name = "ci", scopes = new[] { "users:read" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var system = await SendAsync(admin, HttpMethod.Post, "/v1/admin/api-keys", "acme", new { name = "x", scopes = new[] { "admin" }, system = true });
        await ApiHost.ProblemAsync(system, HttpStatusCode.Forbidden, "KID1083");
        using var tenantsAdmin = await SendAsync(admin, HttpMethod.Post, "/v1/admin/api-keys", "acme", new { name = "x", scopes = new[] { "tenants:admin" } });
        await ApiHost.ProblemAsync(tenantsAdmin, HttpStatusCode.Forbidden, "KID1083");
        using var badScope = await SendAsync(admin, HttpMethod.Post, "/v1/admin/api-keys", "acme", new { name = "x", scopes = new[] { "root" } });
        await ApiHost.ProblemAsync(badScope, HttpStatusCode.BadRequest, "KID1082");
    }

    [Fact]
    public async Task a_system_key_with_tenants_admin_is_a_system_admin()
    {
        var created = await _api.OkAsync(HttpMethod.Post, "/v1/admin/api-keys", json: new { name = "ops", scopes = new[] { "tenants:admin" }, system = true },
            expected: HttpStatusCode.Created);
        Assert.Equal("default", created.GetProperty("apiKey").GetProperty("tenantId").GetString());
        Assert.True(created.GetProperty("apiKey").GetProperty("system").GetBoolean());
        var key = created.GetProperty("key").GetString()!;
        using var tenants = await SendAsync(key, HttpMethod.Get, "/v1/admin/tenants");
        Assert.Equal(HttpStatusCode.OK, tenants.StatusCode);
        using var users = await SendAsync(key, HttpMethod.Get, "/v1/users", "globex");
        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
    }

    [Fact]
    public async Task tenant_a_admin_key_never_reaches_tenant_b()
    {
        var (acmeAdmin, _) = await CreateKeyAsync("acme", "admin");
        var bob = await _api.OkAsync(HttpMethod.Post, "/v1/users", "globex", new { username = "bob", email = "bob@globex.example" }, expected: HttpStatusCode.Created);
        var bobId = bob.GetProperty("id").GetString()!;
        var (globexKey, globexKeyId) = await CreateKeyAsync("globex", "users:read");

        foreach (var tenant in new[] { "globex", "nosuchtenant" })
        {
            foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
            {
                (HttpMethod.Get, $"/v1/users/{bobId}", null),
                (HttpMethod.Patch, $"/v1/users/{bobId}", new { displayName = "pwned" }),
                (HttpMethod.Post, $"/v1/users/{bobId}/disable", null),
                (HttpMethod.Post, $"/v1/users/{bobId}/erase", null),
                (HttpMethod.Delete, $"/v1/users/{bobId}", null),
            })
            {
                using var response = await SendAsync(acmeAdmin, method, path, tenant, body,
                    method == HttpMethod.Patch ? "application/merge-patch+json" : "application/json");
                var text = await response.Content.ReadAsStringAsync();
                await ApiHost.ProblemAsync(response, HttpStatusCode.NotFound, "KID1011");
                Assert.DoesNotContain("bob", text, StringComparison.OrdinalIgnoreCase);
            }

            foreach (var path in new[] { "/v1/users", "/v1/admin/audit", "/v1/admin/api-keys" })
            {
                using var response = await SendAsync(acmeAdmin, HttpMethod.Get, path, tenant);
                await ApiHost.ProblemAsync(response, HttpStatusCode.Forbidden, "KID2002");
            }

            using var create = await SendAsync(acmeAdmin, HttpMethod.Post, "/v1/users", tenant, new { username = "intruder" });
            await ApiHost.ProblemAsync(create, HttpStatusCode.Forbidden, "KID2002");
            using var revoke = await SendAsync(acmeAdmin, HttpMethod.Delete, $"/v1/admin/api-keys/{globexKeyId}", tenant);
            await ApiHost.ProblemAsync(revoke, HttpStatusCode.NotFound, "KID1080");
        }

        // Nothing of globex changed, and globex's own key still works.
        var after = await _api.OkAsync(HttpMethod.Get, $"/v1/users/{bobId}", "globex");
        Assert.Equal("active", after.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("displayName").ValueKind);
        using var own = await SendAsync(globexKey, HttpMethod.Get, $"/v1/users/{bobId}", "globex");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);

        // Acme's key with acme's header cannot name globex's user either (the store is per tenant).
        using var sameTenant = await SendAsync(acmeAdmin, HttpMethod.Get, $"/v1/users/{bobId}", "acme");
        await ApiHost.ProblemAsync(sameTenant, HttpStatusCode.NotFound, "KID1011");
    }

    [Fact]
    public async Task the_key_never_appears_in_logs_responses_after_creation_or_listings_and_listings_hold_no_hash()
    {
        var (key, id) = await CreateKeyAsync("acme", "users:read");
        var secret = key[^43..];
        using (await SendAsync(key, HttpMethod.Get, "/v1/users", "acme"))
        {
        }

        using (await SendAsync(key[..^1] + "x", HttpMethod.Get, "/v1/users", "acme"))
        {
        }

        var list = await _api.OkAsync(HttpMethod.Get, "/v1/admin/api-keys", "acme");
        var text = list.GetRawText();
        Assert.Contains(id, text, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("hash", text, StringComparison.OrdinalIgnoreCase);
        var one = await _api.OkAsync(HttpMethod.Get, $"/v1/admin/api-keys/{id}", "acme");
        Assert.DoesNotContain("hash", one.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.True(one.TryGetProperty("lastUsedAt", out var lastUsed) && lastUsed.ValueKind == JsonValueKind.String);

        Assert.NotEmpty(_logs.Lines);
        Assert.DoesNotContain(_logs.Lines, l => l.Contains(secret, StringComparison.Ordinal) || l.Contains(key[..40], StringComparison.Ordinal));
    }

    [Fact]
    public async Task using_a_key_appends_no_event()
    {
        var (key, _) = await CreateKeyAsync("acme", "users:read");
        var head = await _api.HeadAsync();
        for (var i = 0; i < 5; i++)
        {
            using var response = await SendAsync(key, HttpMethod.Get, "/v1/users", "acme");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var failed = await SendAsync(key[..^1] + "x", HttpMethod.Get, "/v1/users", "acme");
        Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        Assert.Equal(head, await _api.HeadAsync());
    }

    [Fact]
    public async Task the_bootstrap_key_still_works_and_revoking_twice_changes_nothing()
    {
        var (_, id) = await CreateKeyAsync("acme", "users:read");
        var first = await _api.OkAsync(HttpMethod.Delete, $"/v1/admin/api-keys/{id}", "acme");
        var head = await _api.HeadAsync();
        var second = await _api.OkAsync(HttpMethod.Delete, $"/v1/admin/api-keys/{id}", "acme");
        Assert.True(second.GetProperty("revoked").GetBoolean());
        Assert.Equal(first.GetProperty("version").GetInt64(), second.GetProperty("version").GetInt64());
        Assert.Equal(head, await _api.HeadAsync());
    }

    [Fact]
    public async Task groups_roles_and_passwords_follow_the_key_scopes_and_tenant()
    {
        var (acmeAdmin, _) = await CreateKeyAsync("acme", "admin");
        var (groupsReader, _) = await CreateKeyAsync("acme", "groups:read");

        using (var created = await SendAsync(acmeAdmin, HttpMethod.Post, "/v1/groups", "acme", new { name = "Staff" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var read = await SendAsync(groupsReader, HttpMethod.Get, "/v1/groups", "acme"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using (var denied = await SendAsync(groupsReader, HttpMethod.Post, "/v1/groups", "acme", new { name = "Other" }))
        {
            await ApiHost.ProblemAsync(denied, HttpStatusCode.Forbidden, "KID2002");
        }

        using (var roles = await SendAsync(groupsReader, HttpMethod.Get, "/v1/roles", "acme"))
        {
            await ApiHost.ProblemAsync(roles, HttpStatusCode.Forbidden, "KID2002");
        }

        // Another tenant's admin key: globex's group, role and user do not exist for it.
        var group = await _api.OkAsync(HttpMethod.Post, "/v1/groups", "globex", new { name = "Finance" }, expected: HttpStatusCode.Created);
        var role = await _api.OkAsync(HttpMethod.Post, "/v1/roles", "globex", new { name = "auditor" }, expected: HttpStatusCode.Created);
        var user = await _api.OkAsync(HttpMethod.Post, "/v1/users", "globex", new { username = "carol" }, expected: HttpStatusCode.Created);
        var (groupId, roleId, userId) = (group.GetProperty("id").GetString(), role.GetProperty("id").GetString(), user.GetProperty("id").GetString());

        using (var r = await SendAsync(acmeAdmin, HttpMethod.Get, $"/v1/groups/{groupId}", "globex"))
        {
            await ApiHost.ProblemAsync(r, HttpStatusCode.NotFound, "KID1040");
        }

        using (var r = await SendAsync(acmeAdmin, HttpMethod.Delete, $"/v1/roles/{roleId}", "globex"))
        {
            await ApiHost.ProblemAsync(r, HttpStatusCode.NotFound, "KID1060");
        }

        using (var r = await SendAsync(acmeAdmin, HttpMethod.Get, $"/v1/users/{userId}/roles", "globex"))
        {
            await ApiHost.ProblemAsync(r, HttpStatusCode.NotFound, "KID1011");
        }

        using (var r = await SendAsync(acmeAdmin, HttpMethod.Put, $"/v1/users/{userId}/password", "globex", new { password = "correct horse battery staple" }))
        {
            await ApiHost.ProblemAsync(r, HttpStatusCode.NotFound, "KID1011");
        }

        Assert.Equal("Finance", (await _api.OkAsync(HttpMethod.Get, $"/v1/groups/{groupId}", "globex")).GetProperty("name").GetString());
    }

    private async Task<(string Key, string Id)> CreateKeyAsync(string tenant, params string[] scopes)
    {
        var created = await _api.OkAsync(HttpMethod.Post, "/v1/admin/api-keys", tenant, new { name = "test key", scopes }, expected: HttpStatusCode.Created);
        return (created.GetProperty("key").GetString()!, created.GetProperty("apiKey").GetProperty("id").GetString()!);
    }

    private Task<HttpResponseMessage> SendAsync(string key, HttpMethod method, string path, string? tenant = null, object? json = null, string mediaType = "application/json")
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (tenant is not null)
        {
            request.Headers.Add("X-Tenant-ID", tenant);
        }

        if (json is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(json, JsonSerializerOptions.Web), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        }

        return _api.Anonymous.SendAsync(request);
    }

    private static string Strip(JsonElement problem) =>
        string.Join(",", problem.EnumerateObject().Where(p => p.Name is not ("traceId" or "correlationId" or "instance")).Select(p => p.Name + "=" + p.Value.GetRawText()));

    private sealed class CapturedLogs : ILogEventSink
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public void Emit(LogEvent logEvent)
        {
            using var writer = new StringWriter();
            new Serilog.Formatting.Compact.RenderedCompactJsonFormatter().Format(logEvent, writer);
            Lines.Enqueue(writer.ToString());
        }
    }
}
