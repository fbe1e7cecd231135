using KoderId.Events;
using KoderId.Server.Configuration;
using KoderId.Server.Email;
using KoderId.Server.Storage;
using KoderId.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Server.Tests.Configuration;

public sealed class StartupConfigurationTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task an_unknown_provider_stops_start_up_with_one_line_naming_the_setting()
    {
        using var directory = new TempDirectory();
        await using var server = ServerProcess.Start(directory.Path, new Dictionary<string, string> { ["KoderId__Storage__Provider"] = "mysql" });

        var exitCode = await server.WaitForExitAsync(ExitTimeout);

        Assert.Equal(StartupCheck.ConfigurationErrorExitCode, exitCode);
        AssertOneLineNaming(server, "KoderId:Storage:Provider");
        Assert.Contains("(got 'mysql')", Assert.Single(server.StdErr), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(directory.Path, "data")), "nothing is created before the configuration is valid");
    }

    [Fact]
    public async Task an_invalid_sqlite_connection_string_stops_start_up_with_one_line_naming_the_setting()
    {
        using var directory = new TempDirectory();
        await using var server = ServerProcess.Start(
            directory.Path,
            new Dictionary<string, string> { ["KoderId__Storage__ConnectionString"] = "Data Source=x.db;Password=hunter2;Colour=blue" });

        var exitCode = await server.WaitForExitAsync(ExitTimeout);

        Assert.Equal(StartupCheck.ConfigurationErrorExitCode, exitCode);
        AssertOneLineNaming(server, "KoderId:Storage:ConnectionString");
        Assert.DoesNotContain(server.StdOut.Concat(server.StdErr), line => line.Contains("hunter2", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("mysql", "KoderId:Storage:Provider must be one of sqlite, postgres, inmemory (got 'mysql').")]
    [InlineData("", "KoderId:Storage:Provider must be one of sqlite, postgres, inmemory (got '').")]
    [InlineData("postgres", "KoderId:Storage:ConnectionString is required for provider postgres.")]
    public async Task the_start_up_check_reports_a_bad_provider_as_one_line(string provider, string message)
    {
        var problems = await Check(new() { ["KoderId:Storage:Provider"] = provider });

        Assert.Equal("Configuration error: " + message, Assert.Single(problems));
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=x.db;Password=hunter2;Colour=blue")]
    public async Task the_start_up_check_reports_a_bad_sqlite_connection_string_without_echoing_it(string connectionString)
    {
        var problems = await Check(new() { ["KoderId:Storage:ConnectionString"] = connectionString });

        var line = Assert.Single(problems);
        Assert.StartsWith("Configuration error: KoderId:Storage:ConnectionString is not valid for provider sqlite: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("SQLite")]
    [InlineData("inmemory")]
    public async Task the_start_up_check_accepts_every_available_provider(string provider)
    {
        Assert.Empty(await Check(new() { ["KoderId:Storage:Provider"] = provider, ["KoderId:Storage:ConnectionString"] = "Data Source=never-opened.db" }));
    }

    [Fact]
    public async Task an_empty_sqlite_connection_string_means_the_embedded_default()
    {
        await using var backend = StorageComposition.Create(new StorageOptions { ConnectionString = "" }, EventCatalog.CreateRegistry(), []);

        Assert.Equal(Path.GetFullPath("./data/koderid.db"), backend.DataSource);
    }

    [Theory]
    [InlineData("KoderId:Email:SmtpSecurity", "Tls13Please", "Configuration error: KoderId:Email:SmtpSecurity is one of StartTls, SslOnConnect, StartTlsWhenAvailable, None.")]
    [InlineData("KoderId:Email:SmtpPort", "70000", "Configuration error: KoderId:Email:SmtpPort is 1 to 65535.")]
    [InlineData("KoderId:Email:From", "not an address", "Configuration error: KoderId:Email:From is not an email address.")]
    public async Task the_start_up_check_reports_a_bad_email_setting_as_one_line(string key, string value, string line)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["KoderId:Storage:Provider"] = "inmemory",
            [key] = value,
            ["KoderId:Email:SmtpPassword"] = "hunter2",
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddKoderIdStorage(configuration)
            .AddKoderIdEmail(configuration).BuildServiceProvider();

        var problems = StartupCheck.Run(services);

        Assert.Equal(line, Assert.Single(problems));
    }

    private static async Task<IReadOnlyList<string>> Check(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        await using var services = new ServiceCollection().AddLogging().AddKoderIdStorage(configuration).BuildServiceProvider();
        return StartupCheck.Run(services);
    }

    private static void AssertOneLineNaming(ServerProcess server, string setting)
    {
        var output = server.StdOut.Concat(server.StdErr).Where(line => line.Length > 0).ToArray();
        Assert.Single(output, line => line.Contains(setting, StringComparison.Ordinal));
        Assert.StartsWith("Configuration error: ", Assert.Single(server.StdErr), StringComparison.Ordinal);
        Assert.DoesNotContain(output, line => line.Contains("   at ", StringComparison.Ordinal));
    }
}
