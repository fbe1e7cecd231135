using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace KoderId.Cli.Tests;

/// <summary><c>koderid bootstrap</c> on a SQLite store, then the real server accepting (and refusing) what it printed.</summary>
public sealed class BootstrapTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "koderid-cli-tests", Guid.NewGuid().ToString("N"));

    private string File => Path.Combine(_folder, "koderid.db");

    private string[] Store => ["--provider", "sqlite", "--connection", $"Data Source={File}"];

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by an exiting server; the temp folder is cleaned by the OS.
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task a_bootstrap_key_administers_the_server_once_and_force_replaces_it()
    {
        var first = await Cli.RunAsync(["bootstrap", .. Store, "--json"]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var printed = JsonDocument.Parse(first.Stdout).RootElement;
        var key = printed.GetProperty("key").GetString()!;
        Assert.StartsWith("kid_" + printed.GetProperty("keyId").GetString() + "_", key, StringComparison.Ordinal);
        Assert.Equal("default", printed.GetProperty("tenantId").GetString());
        Assert.True(printed.GetProperty("createdDefaultTenant").GetBoolean());
        Assert.Equal(["tenants:admin", "admin"], printed.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));

        var second = await Cli.RunAsync(["bootstrap", .. Store]);
        Assert.Equal(1, second.ExitCode);
        Assert.Empty(second.Stdout);
        Assert.StartsWith("KID4012: ", Assert.Single(second.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));

        var forced = await Cli.RunAsync(["bootstrap", .. Store, "--force"]);
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains("Revoked the previous bootstrap key " + printed.GetProperty("keyId").GetString(), forced.Stdout);
        Assert.DoesNotContain("Created the 'default' tenant", forced.Stdout);
        var newKey = forced.StdoutLines.Single(l => l.StartsWith("kid_", StringComparison.Ordinal));

        var server = ServerProcess.On(File);
        try
        {
            await server.InitializeAsync();
            await UseAsync(server, key, newKey);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static async Task UseAsync(ServerProcess server, string revokedKey, string newKey)
    {
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };

        using var withNew = await TenantsAsync(http, newKey);
        Assert.Equal(HttpStatusCode.OK, withNew.StatusCode);
        Assert.Contains("\"default\"", await withNew.Content.ReadAsStringAsync());

        using var withRevoked = await TenantsAsync(http, revokedKey);
        Assert.Equal(HttpStatusCode.Unauthorized, withRevoked.StatusCode);

        // The printed key drives the server commands, e.g. creating a tenant (system admin only).
        var created = await Cli.RunAsync(["tenants", "create", "boot-acme", "--server", server.Url, "--json"],
            environment: new Dictionary<string, string> { ["KODERID_KEY"] = newKey });
        Assert.True(created.ExitCode == 0, created.ToString());
    }

    [Fact]
    public async Task bootstrap_on_a_store_the_server_already_created_keeps_its_default_tenant()
    {
        var server = ServerProcess.On(File);
        try
        {
            await server.InitializeAsync();
        }
        finally
        {
            await server.DisposeAsync();
        }

        KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
        var run = await Cli.RunAsync(["bootstrap", .. Store, "--json"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.False(JsonDocument.Parse(run.Stdout).RootElement.GetProperty("createdDefaultTenant").GetBoolean());

        var events = await Cli.RunAsync(["events", "tail", .. Store, "--json"]);
        var types = events.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("type").GetString()).ToArray();
        Assert.Equal(1, types.Count(t => t == "tenant.created.v1"));
        Assert.Equal("api-key.created.v1", types[^1]);
        var printed = JsonDocument.Parse(run.Stdout).RootElement;
        var secret = printed.GetProperty("key").GetString()!["kid_".Length..][(printed.GetProperty("keyId").GetString()!.Length + 1)..];
        Assert.DoesNotContain(secret, events.Stdout);
    }

    [Fact]
    public async Task a_table_bootstrap_prints_the_key_once_and_how_to_use_it()
    {
        var run = await Cli.RunAsync(["bootstrap", .. Store]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Single(run.StdoutLines, l => l.StartsWith("kid_", StringComparison.Ordinal));
        Assert.Contains("shown only this once", run.Stdout);
        Assert.Contains("KODERID_KEY", run.Stdout);
    }

    private static Task<HttpResponseMessage> TenantsAsync(HttpClient http, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/admin/tenants");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http.SendAsync(request);
    }
}
