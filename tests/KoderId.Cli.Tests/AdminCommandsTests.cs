using System.Text.Json;

namespace KoderId.Cli.Tests;

/// <summary><c>koderid tenants|users|groups|roles</c> in-process, against the real server running as a child process.</summary>
public sealed class AdminCommandsTests(ServerProcess server) : IClassFixture<ServerProcess>
{
    private Task<CliRun> RunAsync(params string[] args) =>
        Cli.RunAsync([.. args, "--server", server.Url], environment: new Dictionary<string, string> { ["KODERID_KEY"] = ServerProcess.AdminKey });

    private async Task<string> CreatedIdAsync(params string[] args)
    {
        var run = await RunAsync([.. args, "--json"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonDocument.Parse(run.Stdout).RootElement.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task a_tenant_and_a_user_are_created_and_listed_as_a_table_and_as_json()
    {
        var tenant = await RunAsync("tenants", "create", "cli-acme", "--name", "CLI Acme");
        Assert.True(tenant.ExitCode == 0, tenant.ToString());
        Assert.Contains("CLI Acme", tenant.Stdout);

        var user = await RunAsync("users", "create", "alice", "--email", "alice@example.com", "--tenant", "cli-acme");
        Assert.True(user.ExitCode == 0, user.ToString());

        var table = await RunAsync("users", "list", "--tenant", "cli-acme");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("Username", table.Stdout);
        Assert.Contains("alice@example.com", table.Stdout);

        var json = await RunAsync("users", "list", "--tenant", "cli-acme", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var items = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal("alice", Assert.Single(items).GetProperty("username").GetString());

        var tenants = await RunAsync("tenants", "list");
        Assert.Contains("cli-acme", tenants.Stdout);
        Assert.DoesNotContain(ServerProcess.AdminKey, table.Stdout + table.Stderr + json.Stdout + tenants.Stdout);
    }

    [Fact]
    public async Task a_group_and_roles_give_a_users_effective_roles()
    {
        Assert.Equal(0, (await RunAsync("tenants", "create", "cli-roles")).ExitCode);
        var userId = await CreatedIdAsync("users", "create", "bob", "--tenant", "cli-roles");
        var groupId = await CreatedIdAsync("groups", "create", "Engineering", "--tenant", "cli-roles");
        var direct = await CreatedIdAsync("roles", "create", "auditor", "--tenant", "cli-roles");
        var viaGroup = await CreatedIdAsync("roles", "create", "deployer", "--tenant", "cli-roles");

        Assert.Equal(0, (await RunAsync("groups", "add-member", groupId, userId, "--tenant", "cli-roles")).ExitCode);
        Assert.Equal(0, (await RunAsync("roles", "assign", direct, "--user", userId, "--tenant", "cli-roles")).ExitCode);
        Assert.Equal(0, (await RunAsync("roles", "assign", viaGroup, "--group", groupId, "--tenant", "cli-roles")).ExitCode);

        var effective = await RunAsync("roles", "effective", userId, "--tenant", "cli-roles", "--json");
        Assert.True(effective.ExitCode == 0, effective.ToString());
        var names = JsonDocument.Parse(effective.Stdout).RootElement.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("name").GetString());
        Assert.Equal(["auditor", "deployer"], names);

        var table = await RunAsync("roles", "effective", userId, "--tenant", "cli-roles");
        Assert.Contains("deployer", table.Stdout);

        Assert.Equal(0, (await RunAsync("groups", "remove-member", groupId, userId, "--tenant", "cli-roles")).ExitCode);
        var after = await RunAsync("roles", "effective", userId, "--tenant", "cli-roles");
        Assert.DoesNotContain("deployer", after.Stdout);
        Assert.Contains("auditor", after.Stdout);

        var both = await RunAsync("roles", "assign", direct, "--tenant", "cli-roles");
        Assert.NotEqual(0, both.ExitCode);
        Assert.StartsWith("KID4001: ", both.Stderr);
    }

    [Fact]
    public async Task a_missing_user_is_one_kid1011_line_and_a_non_zero_exit()
    {
        var run = await RunAsync("users", "get", "no-such-user");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Empty(run.Stdout);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("KID1011: ", line);
    }

    [Fact]
    public async Task a_wrong_key_is_one_kid2001_line_and_the_key_is_never_printed()
    {
        const string wrong = "not-the-admin-key-but-a-secret-anyway";
        var run = await Cli.RunAsync(["tenants", "list", "--server", server.Url, "--key", wrong]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.StartsWith("KID2001: ", run.Stderr);
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(wrong, run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task the_server_and_key_come_from_the_environment()
    {
        var run = await Cli.RunAsync(["tenants", "list", "--json"], environment: new Dictionary<string, string>
        {
            ["KODERID_SERVER"] = server.Url,
            ["KODERID_KEY"] = ServerProcess.AdminKey,
        });
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("\"default\"", run.Stdout);
    }

    [Fact]
    public async Task users_unlock_lifts_a_lockout_so_the_right_password_works_again()
    {
        Assert.Equal(0, (await RunAsync("tenants", "create", "cli-lock")).ExitCode);
        var userId = await CreatedIdAsync("users", "create", "carol", "--tenant", "cli-lock");
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        async Task<System.Net.HttpStatusCode> SendAsync(HttpMethod method, string path, object body, bool admin = false)
        {
            using var request = new HttpRequestMessage(method, path) { Content = System.Net.Http.Json.JsonContent.Create(body) };
            request.Headers.Add("X-Tenant-ID", "cli-lock");
            if (admin)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ServerProcess.AdminKey);
            }

            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }

        async Task<System.Net.HttpStatusCode> SignInAsync(string password)
        {
            using var start = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/auth/flows")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { username = "carol" }),
                Headers = { { "X-Tenant-ID", "cli-lock" } },
            });
            var id = JsonDocument.Parse(await start.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
            return await SendAsync(HttpMethod.Post, $"/v1/auth/flows/{id}/password", new { password });
        }

        Assert.Equal(System.Net.HttpStatusCode.NoContent, await SendAsync(HttpMethod.Put, $"/v1/users/{userId}/password", new { password = "correct horse battery staple 42" }, admin: true));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, await SignInAsync("a wrong password it is"));
        }

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, await SignInAsync("correct horse battery staple 42"));

        var unlock = await RunAsync("users", "unlock", userId, "--tenant", "cli-lock");
        Assert.True(unlock.ExitCode == 0, unlock.ToString());
        Assert.Equal(System.Net.HttpStatusCode.OK, await SignInAsync("correct horse battery staple 42"));
    }

    [Fact]
    public async Task an_unreachable_server_is_kid4010()
    {
        var run = await Cli.RunAsync(["users", "list", "--server", $"http://127.0.0.1:{ServerProcess.FreePort()}", "--key", "k"]);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("KID4010: ", run.Stderr);
    }

    [Fact]
    public async Task a_server_url_that_is_not_http_is_kid4001()
    {
        var run = await Cli.RunAsync(["users", "list", "--server", "ftp://example.com"]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.StartsWith("KID4001: ", run.Stderr);
    }

    [Fact]
    public async Task an_api_key_is_created_with_its_secret_shown_once_listed_without_it_used_and_revoked()
    {
        Assert.Equal(0, (await RunAsync("tenants", "create", "cli-keys")).ExitCode);
        var created = await RunAsync("api-keys", "create", "--name", "ci reader", "--scope", "users:read", "--scope", "groups:read",
            "--expires", "90d", "--tenant", "cli-keys", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        var body = JsonDocument.Parse(created.Stdout).RootElement;
        var key = body.GetProperty("key").GetString()!;
        var id = body.GetProperty("apiKey").GetProperty("id").GetString()!;
        Assert.StartsWith($"kid_{id}_", key, StringComparison.Ordinal);
        Assert.Equal(["users:read", "groups:read"], body.GetProperty("apiKey").GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
        var expires = body.GetProperty("apiKey").GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddDays(89), DateTimeOffset.UtcNow.AddDays(91));

        var table = await RunAsync("api-keys", "list", "--tenant", "cli-keys");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("ci reader", table.Stdout);
        Assert.Contains("users:read, groups:read", table.Stdout);
        var secret = key[$"kid_{id}_".Length..];
        Assert.DoesNotContain(secret, table.Stdout);

        // The new key reads users of its tenant and writes nothing.
        var asKey = new Dictionary<string, string> { ["KODERID_KEY"] = key };
        var read = await Cli.RunAsync(["users", "list", "--tenant", "cli-keys", "--server", server.Url], environment: asKey);
        Assert.True(read.ExitCode == 0, read.ToString());
        var write = await Cli.RunAsync(["users", "create", "mallory", "--tenant", "cli-keys", "--server", server.Url], environment: asKey);
        Assert.Equal(1, write.ExitCode);
        Assert.StartsWith("KID", write.Stderr);

        var revoked = await RunAsync("api-keys", "revoke", id, "--tenant", "cli-keys", "--json");
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        Assert.True(JsonDocument.Parse(revoked.Stdout).RootElement.GetProperty("revoked").GetBoolean());
        var after = await Cli.RunAsync(["users", "list", "--tenant", "cli-keys", "--server", server.Url], environment: asKey);
        Assert.StartsWith("KID2001: ", after.Stderr);
    }

    [Fact]
    public async Task a_table_api_key_creation_prints_the_secret_line_once()
    {
        var run = await RunAsync("api-keys", "create", "--name", "table key", "--scope", "audit:read");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Single(run.StdoutLines, l => l.StartsWith("kid_", StringComparison.Ordinal));
        Assert.Contains("shown only this once", run.Stdout);
    }

    [Theory]
    [InlineData("--scope", "not-a-scope", "KID1")]
    [InlineData("--expires", "next tuesday", "KID4001")]
    public async Task bad_api_key_options_are_refused_with_a_code(string option, string value, string code)
    {
        string[] args = option == "--scope"
            ? ["api-keys", "create", "--name", "bad", "--scope", value]
            : ["api-keys", "create", "--name", "bad", "--scope", "admin", option, value];
        var run = await RunAsync(args);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.StartsWith(code, run.Stderr);
    }

    [Fact]
    public async Task api_key_creation_without_a_scope_is_a_usage_error()
    {
        var run = await RunAsync("api-keys", "create", "--name", "no scope");
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("KID4001: ", run.Stderr);
    }

    [Fact]
    public async Task a_user_is_patched_from_set_and_clear_pairs_or_a_json_body_deleted_and_restored()
    {
        Assert.Equal(0, (await RunAsync("tenants", "create", "cli-patch")).ExitCode);
        var id = await CreatedIdAsync("users", "create", "carol", "--display-name", "Carol", "--tenant", "cli-patch");

        var patched = await RunAsync("users", "patch", id, "--set", "givenName=Carol", "--set", "familyName=Jones = Smith", "--clear", "displayName",
            "--tenant", "cli-patch", "--json");
        Assert.True(patched.ExitCode == 0, patched.ToString());
        var user = JsonDocument.Parse(patched.Stdout).RootElement;
        Assert.Equal("Carol", user.GetProperty("givenName").GetString());
        Assert.Equal("Jones = Smith", user.GetProperty("familyName").GetString());
        Assert.Equal(JsonValueKind.Null, user.GetProperty("displayName").ValueKind);

        var body = await RunAsync("users", "patch", id, "--json-body", """{"displayName":"CJ","phone":null}""", "--tenant", "cli-patch", "--json");
        Assert.True(body.ExitCode == 0, body.ToString());
        Assert.Equal("CJ", JsonDocument.Parse(body.Stdout).RootElement.GetProperty("displayName").GetString());

        var unknown = await RunAsync("users", "patch", id, "--set", "username=root", "--tenant", "cli-patch");
        Assert.Equal(1, unknown.ExitCode);
        Assert.StartsWith("KID2", unknown.Stderr);

        Assert.Equal(0, (await RunAsync("users", "delete", id, "--tenant", "cli-patch")).ExitCode);
        var restored = await RunAsync("users", "restore", id, "--tenant", "cli-patch", "--json");
        Assert.True(restored.ExitCode == 0, restored.ToString());
        Assert.Equal("active", JsonDocument.Parse(restored.Stdout).RootElement.GetProperty("status").GetString(), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task a_users_metadata_is_set_listed_as_a_table_and_removed()
    {
        Assert.Equal(0, (await RunAsync("tenants", "create", "cli-meta")).ExitCode);
        var id = await CreatedIdAsync("users", "create", "dora", "--tenant", "cli-meta");

        var set = await RunAsync("users", "set-metadata", id, "cost center", "--text", "4711", "--tenant", "cli-meta", "--json");
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal("NDcxMQ==", JsonDocument.Parse(set.Stdout).RootElement.GetProperty("value").GetString());
        Assert.Equal(0, (await RunAsync("users", "set-metadata", id, "badge", "--base64", "/+8=", "--tenant", "cli-meta")).ExitCode);

        var table = await RunAsync("users", "metadata", id, "--tenant", "cli-meta");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("cost center", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("4711", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("/+8=", table.Stdout, StringComparison.Ordinal);

        var bad = await RunAsync("users", "set-metadata", id, "k", "--base64", "not base64!", "--tenant", "cli-meta");
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith("KID1025", bad.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync("users", "remove-metadata", id, "cost center", "--tenant", "cli-meta")).ExitCode);
        var missing = await RunAsync("users", "remove-metadata", id, "cost center", "--tenant", "cli-meta");
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("KID1027", missing.Stderr, StringComparison.Ordinal);
        var json = await RunAsync("users", "metadata", id, "--tenant", "cli-meta", "--json");
        Assert.Equal(["badge"], JsonDocument.Parse(json.Stdout).RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("key").GetString()!).ToArray());
    }

    [Theory]
    [InlineData("--set", "no-equals-sign")]
    [InlineData("--json-body", "[1,2]")]
    [InlineData("--json-body", "{not json")]
    public async Task a_patch_that_is_not_a_merge_patch_is_kid4014_and_nothing_is_sent(string option, string value)
    {
        var run = await RunAsync("users", "patch", "some-user", option, value);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("KID4014: ", run.Stderr);
    }

    [Fact]
    public async Task users_are_listed_a_page_at_a_time_or_all_at_once()
    {
        Assert.Equal(0, (await RunAsync("tenants", "create", "cli-pages")).ExitCode);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(0, (await RunAsync("users", "create", $"pager{i}", "--tenant", "cli-pages")).ExitCode);
        }

        var first = await RunAsync("users", "list", "--limit", "2", "--tenant", "cli-pages", "--json");
        var page = JsonDocument.Parse(first.Stdout).RootElement;
        Assert.Equal(2, page.GetProperty("items").GetArrayLength());
        var next = page.GetProperty("next").GetString()!;

        var second = await RunAsync("users", "list", "--limit", "2", "--after", next, "--tenant", "cli-pages", "--json");
        var secondItems = JsonDocument.Parse(second.Stdout).RootElement.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("username").GetString()).ToArray();
        Assert.Equal(2, secondItems.Length);
        Assert.DoesNotContain(secondItems, u => page.GetProperty("items").EnumerateArray().Any(f => f.GetProperty("username").GetString() == u));

        var table = await RunAsync("users", "list", "--limit", "2", "--tenant", "cli-pages");
        Assert.Contains($"More: --after {next}", table.Stdout);

        var all = await RunAsync("users", "list", "--limit", "2", "--all", "--tenant", "cli-pages", "--json");
        Assert.True(all.ExitCode == 0, all.ToString());
        var everything = JsonDocument.Parse(all.Stdout).RootElement;
        Assert.Equal(["pager0", "pager1", "pager2", "pager3", "pager4"],
            everything.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("username").GetString()).Order());
        Assert.Equal(JsonValueKind.Null, everything.GetProperty("next").ValueKind);

        var allTable = await RunAsync("users", "list", "--limit", "2", "--all", "--tenant", "cli-pages");
        Assert.Contains("pager4", allTable.Stdout);
        Assert.DoesNotContain("More:", allTable.Stdout);
    }
}
