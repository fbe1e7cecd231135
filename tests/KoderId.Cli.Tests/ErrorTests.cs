namespace KoderId.Cli.Tests;

public sealed class ErrorTests
{
    private static string MissingFolder() => Path.Combine(Path.GetTempPath(), "koderid-cli-tests", Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("events", "tail")]
    [InlineData("events", "stats")]
    [InlineData("projections", "list")]
    [InlineData("audit", "verify")]
    public async Task a_missing_sqlite_file_is_KID4003_and_nothing_is_created(string group, string command)
    {
        var folder = MissingFolder();
        var file = Path.Combine(folder, "koderid.db");

        var run = await Cli.RunAsync([group, command, "--connection", $"Data Source={file}"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.StartsWith($"KID4003: SQLite database '{file}' does not exist", run.Stderr);
        Assert.Single(run.Stderr.TrimEnd().Split('\n'));
        Assert.False(File.Exists(file));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task the_default_connection_comes_from_the_environment()
    {
        var file = Path.Combine(MissingFolder(), "from-env.db");

        var run = await Cli.RunAsync(["audit", "verify"], environment: new Dictionary<string, string>
        {
            ["KoderId__Storage__ConnectionString"] = $"Data Source={file}",
        });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(file, run.Stderr);
        Assert.Contains("KoderId__Storage__ConnectionString", run.Stderr);
    }

    [Fact]
    public async Task an_explicit_connection_wins_over_the_environment()
    {
        await using var store = await TestStore.CreateSeededAsync();

        var run = await Cli.RunAsync(["audit", "verify", "--connection", store.ConnectionString], environment: new Dictionary<string, string>
        {
            ["KoderId__Storage__ConnectionString"] = "Data Source=/nonexistent/elsewhere.db",
        });

        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Fact]
    public async Task a_bad_provider_value_is_KID4001()
    {
        var run = await Cli.RunAsync(["audit", "verify", "--provider", "mysql", "--connection", "Data Source=whatever.db"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("KID4001: the provider from --provider must be 'sqlite' or 'postgres', not 'mysql'", run.Stderr.Trim());
    }

    [Fact]
    public async Task a_bad_provider_in_the_environment_is_KID4001_naming_the_variable()
    {
        var run = await Cli.RunAsync(["events", "stats"], environment: new Dictionary<string, string> { ["KoderId__Storage__Provider"] = "oracle" });

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("KID4001: the provider from KoderId__Storage__Provider", run.Stderr);
    }

    [Fact]
    public async Task an_unreachable_postgres_is_KID4003_without_the_password()
    {
        var run = await Cli.RunAsync(["projections", "list", "--provider", "postgres", "--connection", "Host=127.0.0.1;Port=1;Username=kid;Password=s3cret;Timeout=2"]);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("KID4003: PostgreSQL at postgres://127.0.0.1:1/", run.Stderr.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task postgres_with_a_sqlite_connection_string_is_KID4001()
    {
        var run = await Cli.RunAsync(["events", "tail"], environment: new Dictionary<string, string> { ["KoderId__Storage__Provider"] = "postgres" });

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("KID4001: the connection string from", run.Stderr.Trim(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--limit", "abc")]
    [InlineData("--limit", "0")]
    [InlineData("--from", "-4")]
    [InlineData("--bogus", "1")]
    public async Task bad_option_values_are_KID4001(string option, string value)
    {
        await using var store = await TestStore.CreateSeededAsync();

        var run = await store.RunAsync("events", "tail", option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("KID4001: ", run.Stderr);
        Assert.Single(run.Stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task no_command_is_KID4001()
    {
        var run = await Cli.RunAsync([]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("KID4001: ", run.Stderr);
    }

    [Fact]
    public async Task an_in_memory_or_unparsable_connection_string_is_KID4001_and_not_echoed()
    {
        var memory = await Cli.RunAsync(["audit", "verify", "--connection", "Data Source=:memory:"]);
        var garbage = await Cli.RunAsync(["audit", "verify", "--connection", "Data Source=x.db;Password=hunter2;Frobnicate=yes"]);

        Assert.Equal(2, memory.ExitCode);
        Assert.StartsWith("KID4001: ", memory.Stderr);
        Assert.Equal(2, garbage.ExitCode);
        Assert.StartsWith("KID4001: ", garbage.Stderr);
        Assert.DoesNotContain("hunter2", garbage.Stderr);
    }

    [Fact]
    public async Task a_password_in_the_connection_string_is_never_printed()
    {
        await using var store = await TestStore.CreateSeededAsync();
        var missing = Path.Combine(MissingFolder(), "x.db");

        var onMissing = await Cli.RunAsync(["audit", "verify", "--connection", $"Data Source={missing};Password=hunter2"]);
        var onExisting = await Cli.RunAsync(["audit", "verify", "--connection", $"{store.ConnectionString};Password=hunter2"]);

        Assert.NotEqual(0, onMissing.ExitCode);
        Assert.DoesNotContain("hunter2", onMissing.Stdout + onMissing.Stderr);
        Assert.DoesNotContain("hunter2", onExisting.Stdout + onExisting.Stderr);
    }

    [Fact]
    public async Task a_connection_string_split_by_the_shell_does_not_leak_its_password_in_the_parse_error()
    {
        // What `koderid audit verify --connection Data Source=x.db;Password=hunter2` becomes without quotes.
        var run = await Cli.RunAsync(["audit", "verify", "--connection", "Data", "Source=x.db;Password=hunter2"]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("KID4001: ", run.Stderr);
        Assert.DoesNotContain("hunter2", run.Stderr);
    }

    [Fact]
    public async Task a_file_that_is_not_a_database_is_KID4003()
    {
        var folder = MissingFolder();
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "notes.db");
        await File.WriteAllTextAsync(file, new string('x', 4096));
        try
        {
            var run = await Cli.RunAsync(["events", "stats", "--connection", $"Data Source={file}"]);

            Assert.Equal(1, run.ExitCode);
            Assert.StartsWith("KID4003: ", run.Stderr);
            Assert.Single(run.Stderr.TrimEnd().Split('\n'));
        }
        finally
        {
            KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task help_is_printed_to_stdout_and_exits_0()
    {
        var run = await Cli.RunAsync(["events", "tail", "--help"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--follow", run.Stdout);
        Assert.Contains("--provider", run.Stdout);
        Assert.Contains("KoderId__Storage__ConnectionString", run.Stdout);
    }
}
