using System.Text.Json;

namespace KoderId.Cli.Tests;

/// <summary><c>koderid import zitadel FILE</c> on a SQLite store (ADR 0007).</summary>
public sealed class ImportZitadelTests : IAsyncLifetime
{
    private const string Export = """
        {"data_orgs": {"orgs": [{
          "org_id": "191279307643945217",
          "org": {"name": "Test Org"},
          "human_users": [
            {"user_id": "120080115081209416", "user": {"user_name": "testuser",
              "email": {"email": "test@acme.example", "is_email_verified": true},
              "hashed_password": {"value": "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"}}},
            {"user_id": "120080115081209417", "user": {"user_name": "other"}}
          ],
          "user_metadata": [{"id": "120080115081209416", "key": "k", "value": "dg=="}],
          "oidc_apps": [{"app_id": "5", "app": {"project_id": "4", "name": "Web", "redirect_uris": ["https://app.acme.example/cb"]}}]
        }]}}
        """;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "koderid-cli-tests", Guid.NewGuid().ToString("N"));

    private string[] Store => ["--provider", "sqlite", "--connection", $"Data Source={Path.Combine(_folder, "koderid.db")}"];

    private string ExportFile => Path.Combine(_folder, "export.json");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        await File.WriteAllTextAsync(ExportFile, Export);
        Assert.Equal(0, (await Cli.RunAsync(["bootstrap", .. Store])).ExitCode);
    }

    public Task DisposeAsync()
    {
        KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task a_dry_run_then_an_import_then_a_re_run_that_creates_nothing()
    {
        var dry = await Cli.RunAsync(["import", "zitadel", ExportFile, "--dry-run", "--json", .. Store]);
        Assert.True(dry.ExitCode == 0, dry.ToString());
        var planned = JsonDocument.Parse(dry.Stdout).RootElement;
        Assert.True(planned.GetProperty("dryRun").GetBoolean());
        Assert.Equal(2, planned.GetProperty("counts").GetProperty("users").GetProperty("created").GetInt32());
        Assert.Equal(1, planned.GetProperty("counts").GetProperty("user-metadata").GetProperty("created").GetInt32());

        var run = await Cli.RunAsync(["import", "zitadel", ExportFile, .. Store]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("test-org", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("skipped user-metadata", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("$2a$05$", run.Stdout + run.Stderr, StringComparison.Ordinal);

        var again = await Cli.RunAsync(["import", "zitadel", ExportFile, "--json", .. Store]);
        Assert.True(again.ExitCode == 0, again.ToString());
        var report = JsonDocument.Parse(again.Stdout).RootElement;
        Assert.Equal(2, report.GetProperty("counts").GetProperty("users").GetProperty("existing").GetInt32());
        Assert.False(report.GetProperty("counts").GetProperty("users").TryGetProperty("created", out var created) && created.GetInt32() > 0);

        var tail = await Cli.RunAsync(["events", "tail", "--tenant", "test-org", "--limit", "100", "--json", .. Store]);
        var causations = tail.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("causationId").GetString()).ToHashSet();
        Assert.Contains("zitadel:user:120080115081209416", causations);
        Assert.Contains("zitadel:org:191279307643945217", causations);
        Assert.Contains("\"user.metadata-set.v1\"", tail.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_malformed_file_is_refused_with_its_json_path_and_nothing_is_written()
    {
        await File.WriteAllTextAsync(ExportFile, Export.Replace("\"user_name\": \"other\"", "\"user_name\": 7", StringComparison.Ordinal));

        var run = await Cli.RunAsync(["import", "zitadel", ExportFile, .. Store]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("KID4122: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("error KID1421 $.data_orgs.orgs[0].human_users[1].user.user_name: must be a string", run.Stdout, StringComparison.Ordinal);
        var tail = await Cli.RunAsync(["events", "tail", "--tenant", "test-org", "--json", .. Store]);
        Assert.Empty(tail.StdoutLines);
    }

    [Fact]
    public async Task a_file_that_is_not_json_or_missing_has_its_own_code()
    {
        await File.WriteAllTextAsync(ExportFile, "{\"orgs\": [");
        var broken = await Cli.RunAsync(["import", "zitadel", ExportFile, .. Store]);
        Assert.Equal(1, broken.ExitCode);
        Assert.StartsWith("KID4121: $ is not valid JSON", broken.Stderr, StringComparison.Ordinal);

        var missing = await Cli.RunAsync(["import", "zitadel", Path.Combine(_folder, "nope.json"), .. Store]);
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("KID4120: ", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_machine_user_with_a_key_is_listed_as_private_key_jwt_without_a_secret_and_a_broken_key_fails_its_org()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var key = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(rsa.ExportSubjectPublicKeyInfoPem()));
        const string Machine = """
            "machine_users": [{"user_id": "120080115081209420", "user": {"user_name": "bot", "name": "Bot"}}],
            "machine_keys": [{"key_id": "120080115081209421", "user_id": "120080115081209420", "type": "KEY_TYPE_JSON", "public_key": "PEM_B64"}],
            """;
        await File.WriteAllTextAsync(ExportFile, Export.Replace("\"user_metadata\"", Machine.Replace("PEM_B64", key, StringComparison.Ordinal) + "\"user_metadata\"", StringComparison.Ordinal));

        var run = await Cli.RunAsync(["import", "zitadel", ExportFile, .. Store]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var line = Assert.Single(run.StdoutLines, l => l.Contains("machine-user", StringComparison.Ordinal));
        Assert.Contains("private_key_jwt", line, StringComparison.Ordinal);
        Assert.Single(run.StdoutLines, l => l.Contains("machine-keys", StringComparison.Ordinal));

        await File.WriteAllTextAsync(ExportFile, Export.Replace("\"org_id\": \"191279307643945217\"", "\"org_id\": \"191279307643945218\"", StringComparison.Ordinal)
            .Replace("Test Org", "Other Org", StringComparison.Ordinal)
            .Replace("\"user_metadata\"", Machine.Replace("PEM_B64", "not base64!", StringComparison.Ordinal) + "\"user_metadata\"", StringComparison.Ordinal));
        var broken = await Cli.RunAsync(["import", "zitadel", ExportFile, .. Store]);
        Assert.True(broken.ExitCode == 1, broken.ToString());
        Assert.True(broken.Stdout.Contains("error KID1427 $.data_orgs.orgs[0].machine_keys[0].public_key: is not base64", StringComparison.Ordinal), broken.ToString());
    }
}
