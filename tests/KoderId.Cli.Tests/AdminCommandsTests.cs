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
}
