using System.Net;
using System.Net.Http.Headers;
using KoderId.Server.Configuration;
using KoderId.Server.Tests.Infrastructure;

namespace KoderId.Server.Tests.Api;

/// <summary>The bootstrap admin key on the real server process: it works, a wrong one is refused, and neither reaches a log line.</summary>
public sealed class BootstrapKeyTests
{
    [Fact]
    public async Task the_admin_key_authenticates_a_wrong_one_is_401_and_no_key_is_ever_logged()
    {
        using var directory = new TempDirectory();
        var port = ServerProcess.FreePort();
        await using var server = ServerProcess.Start(
            directory.Path, new Dictionary<string, string> { ["KoderId__Bootstrap__AdminKey"] = ApiHost.AdminKey }, "--urls", $"http://127.0.0.1:{port}");
        await server.WaitUntilAnsweringAsync(new Uri($"http://127.0.0.1:{port}/healthz"), TimeSpan.FromSeconds(30));

        const string wrongKey = "wrong-key-but-long-enough-0123456789-abcdef";
        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") })
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiHost.AdminKey);
            using var ok = await http.GetAsync(new Uri("/v1/admin/tenants/default", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", wrongKey);
            using var refused = await http.GetAsync(new Uri("/v1/users", UriKind.Relative));
            await ApiHost.ProblemAsync(refused, HttpStatusCode.Unauthorized, "KID2001");
        }

        server.SendSigterm();
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        var output = server.StdOut.Concat(server.StdErr).ToArray();
        Assert.Contains(output, line => line.Contains("/v1/users", StringComparison.Ordinal));
        Assert.DoesNotContain(output, line => line.Contains(ApiHost.AdminKey, StringComparison.Ordinal));
        Assert.DoesNotContain(output, line => line.Contains(wrongKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_short_admin_key_stops_start_up_with_one_line_naming_the_setting()
    {
        using var directory = new TempDirectory();
        await using var server = ServerProcess.Start(directory.Path, new Dictionary<string, string> { ["KoderId__Bootstrap__AdminKey"] = "short-secret" });

        var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(StartupCheck.ConfigurationErrorExitCode, exitCode);
        var line = Assert.Single(server.StdErr);
        Assert.Equal("Configuration error: KoderId:Bootstrap:AdminKey must be at least 32 characters.", line);
        Assert.DoesNotContain(server.StdOut.Concat(server.StdErr), l => l.Contains("short-secret", StringComparison.Ordinal));
    }
}
