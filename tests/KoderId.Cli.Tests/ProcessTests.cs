using System.Diagnostics;

namespace KoderId.Cli.Tests;

/// <summary>The real entry point: the built koderid.dll as its own process.</summary>
public sealed class ProcessTests
{
    [Fact]
    public async Task the_koderid_binary_verifies_a_store_and_reports_a_broken_chain_with_exit_3()
    {
        await using var store = await TestStore.CreateSeededAsync();

        var intact = await RunKoderIdAsync("audit", "verify", "--connection", store.ConnectionString);
        await store.ExecuteAsync("UPDATE events SET data = '{}' WHERE position = 3");
        var broken = await RunKoderIdAsync("audit", "verify", "--connection", store.ConnectionString);
        var missing = await RunKoderIdAsync("audit", "verify", "--connection", $"Data Source={Path.Combine(store.Folder, "nope.db")}");

        Assert.True(intact.ExitCode == 0, intact.ToString());
        Assert.StartsWith("OK: 6 events, chain intact, head ", intact.Stdout);
        Assert.Equal(3, broken.ExitCode);
        Assert.StartsWith("BROKEN at position 3: ", broken.Stdout);
        Assert.Contains("KID4005: hash chain broken at position 3", broken.Stderr);
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("KID4003: ", missing.Stderr);
        Assert.False(File.Exists(Path.Combine(store.Folder, "nope.db")));
    }

    private static async Task<CliRun> RunKoderIdAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "koderid.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("KoderId__Storage__Provider");
        start.Environment.Remove("KoderId__Storage__ConnectionString");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("koderid did not start.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        var run = new CliRun(process.ExitCode, await stdout, await stderr);
        Assert.DoesNotContain("   at ", run.Stdout + run.Stderr, StringComparison.Ordinal);
        return run;
    }
}
