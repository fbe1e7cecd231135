using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KoderId.Cli.Tests;

/// <summary>
/// The built server (src/KoderId.Server's output for this configuration) as a child process on a free
/// loopback port, with a temporary SQLite store and the bootstrap admin key; ready once /readyz answers 200.
/// </summary>
public sealed class ServerProcess : IAsyncLifetime
{
    public const string AdminKey = "cli-test-admin-key-0123456789abcdef-01234";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "koderid-cli-server-" + Guid.NewGuid().ToString("N"));
    private readonly StringBuilder _output = new();
    private readonly string? _databaseFile;
    private readonly string? _adminKey;
    private Process? _process;

    /// <summary>A fresh store in a temporary folder, with <see cref="AdminKey"/> as the bootstrap admin key.</summary>
    public ServerProcess()
        : this(null, AdminKey)
    {
    }

    private ServerProcess(string? databaseFile, string? adminKey)
    {
        _databaseFile = databaseFile;
        _adminKey = adminKey;
    }

    public string Url { get; private set; } = "";

    /// <summary>A server on an existing SQLite file without a bootstrap admin key (xunit wants one public constructor).</summary>
    public static ServerProcess On(string databaseFile) => new(databaseFile, null);

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}";
        var dll = ServerDll();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(Url);
        start.Environment["KoderId__Storage__Provider"] = "sqlite";
        start.Environment["KoderId__Storage__ConnectionString"] = $"Data Source={_databaseFile ?? Path.Combine(_folder, "koderid.db")}";
        if (_adminKey is not null)
        {
            start.Environment["KoderId__Bootstrap__AdminKey"] = _adminKey;
        }
        else
        {
            start.Environment.Remove("KoderId__Bootstrap__AdminKey");
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";

        _process = Process.Start(start) ?? throw new InvalidOperationException("The server did not start.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var ready = await http.GetAsync(new Uri(Url + "/readyz"));
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Starting slowly.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The server did not become ready at {Url}:\n{Output}");
            }

            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a slow-exiting process; the temp folder is cleaned by the OS.
        }
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The test runs from tests/KoderId.Cli.Tests/bin/{Configuration}/{tfm}; the server builds to the same shape under src.</summary>
    private static string ServerDll()
    {
        var binTfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = binTfm.Parent!.Name;
        var root = binTfm;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "KoderId.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException("KoderId.sln not found above " + AppContext.BaseDirectory);
        }

        var dll = Path.Combine(root.FullName, "src", "KoderId.Server", "bin", configuration, binTfm.Name, "KoderId.Server.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"Build the server first: {dll} does not exist.");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
