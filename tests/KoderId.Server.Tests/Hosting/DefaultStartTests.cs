using System.Text.Json;
using KoderId.Server.Tests.Infrastructure;

namespace KoderId.Server.Tests.Hosting;

public sealed class DefaultStartTests
{
    private static readonly string[] NonDefaultLevels = ["Verbose", "Debug", "Warning", "Error", "Fatal"];

    [Fact]
    public async Task the_default_start_creates_the_sqlite_file_logs_json_without_query_strings_and_stops_cleanly_on_sigterm()
    {
        using var directory = new TempDirectory();
        var port = ServerProcess.FreePort();
        await using var server = ServerProcess.Start(directory.Path, null, "--urls", $"http://127.0.0.1:{port}");

        await server.WaitUntilAnsweringAsync(new Uri($"http://127.0.0.1:{port}/healthz"), TimeSpan.FromSeconds(30));
        Assert.True(File.Exists(Path.Combine(directory.Path, "data", "koderid.db")), "./data/koderid.db under the working directory");
        using (var http = new HttpClient())
        {
            // A query string can carry an authorization code or a token: request logs hold the path only.
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/oauth/v2/unknown?code=secret-code-123"));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        }

        server.SendSigterm();
        var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, exitCode);
        Assert.Empty(server.StdErr);
        var events = server.StdOut.Where(line => line.Length > 0).Select(ParseCompactJson).ToArray();
        Assert.Contains(events, e => e.Message.Contains("Storage ready", StringComparison.Ordinal) &&
                                     e.Message.Contains("sqlite", StringComparison.Ordinal) &&
                                     e.Message.Contains(Path.Combine("data", "koderid.db"), StringComparison.Ordinal));
        Assert.Contains(events, e => e.Message.Contains("shutting down", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Message.Contains("/oauth/v2/unknown", StringComparison.Ordinal) && e.Message.Contains("404", StringComparison.Ordinal));
        Assert.DoesNotContain(server.StdOut, line => line.Contains("secret-code-123", StringComparison.Ordinal));
    }

    /// <summary>Compact log event format (CLEF): <c>@t</c> timestamp, <c>@m</c> message, <c>@l</c> level (absent = Information).</summary>
    private static (DateTimeOffset Timestamp, string Level, string Message) ParseCompactJson(string line)
    {
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        var level = root.TryGetProperty("@l", out var l) ? l.GetString()! : "Information";
        Assert.True(level == "Information" || NonDefaultLevels.Contains(level), $"unknown level '{level}'");
        return (root.GetProperty("@t").GetDateTimeOffset(), level, root.GetProperty("@m").GetString()!);
    }
}
