using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace KoderId.Testing.Postgres;

/// <summary>
/// A PostgreSQL server for tests and benchmarks, usable outside xunit. With <c>KODERID_TEST_POSTGRES</c> set (a
/// connection string to a server where databases may be created) it uses that server; otherwise it starts a
/// throwaway cluster from the installed binaries in a temporary folder, on a free port, durable
/// (<c>fsync=on</c>), trusting 127.0.0.1, and removes it on dispose. With neither it fails with a message
/// that says how to get one: the suite never skips and never passes without a server.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    public const string ServerVariable = "KODERID_TEST_POSTGRES";

    private const string FolderPrefix = "koderid-pg-";
    private const string OwnerFile = "owner.pid";
    private const string ServerOsUser = "postgres";
    private static readonly Lazy<Task<PostgresCluster>> Shared = new(StartSharedAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly NpgsqlDataSource _admin;
    private readonly Throwaway? _throwaway;
    private readonly ConcurrentDictionary<string, byte> _databases = new(StringComparer.Ordinal);
    private int _disposed;

    private PostgresCluster(string adminConnectionString, Throwaway? throwaway)
    {
        AdminConnectionString = adminConnectionString;
        _throwaway = throwaway;
        _admin = NpgsqlDataSource.Create(adminConnectionString);
    }

    /// <summary>A superuser connection string to the <c>postgres</c> database (for a throwaway cluster: trust, no password).</summary>
    public string AdminConnectionString { get; }

    /// <summary>True when this object started the server (and stops it); false for a server named by <c>KODERID_TEST_POSTGRES</c>.</summary>
    public bool IsThrowaway => _throwaway is not null;

    /// <summary>
    /// One server per process, started on first use and stopped when the process exits. Test classes take
    /// their databases from it so the cluster starts once per test run.
    /// </summary>
    public static Task<PostgresCluster> SharedAsync() => Shared.Value;

    public static async Task<PostgresCluster> StartAsync(CancellationToken ct = default)
    {
        var external = Environment.GetEnvironmentVariable(ServerVariable);
        return string.IsNullOrWhiteSpace(external)
            ? await StartThrowawayAsync(ct).ConfigureAwait(false)
            : await ConnectAsync(external, ct).ConfigureAwait(false);
    }

    /// <summary>Creates an empty database <c>koderid_test_&lt;guid&gt;</c> and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken ct = default)
    {
        var name = $"koderid_test_{Guid.NewGuid():N}";
        await ExecuteAdminAsync($"CREATE DATABASE {name}", ct).ConfigureAwait(false);
        _databases[name] = 0;
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, disconnecting whoever is still in it.</summary>
    public async Task DropDatabaseAsync(string connectionString, CancellationToken ct = default)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        if (name is null || !_databases.TryRemove(name, out _))
        {
            throw new ArgumentException("Not a database created by this cluster.", nameof(connectionString));
        }

        await ExecuteAdminAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_throwaway is null)
        {
            foreach (var name in _databases.Keys)
            {
                try
                {
                    await ExecuteAdminAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", CancellationToken.None).ConfigureAwait(false);
                }
                catch (NpgsqlException)
                {
                    // Best effort on a server we do not own; the koderid_test_ prefix makes leftovers easy to find.
                }
            }
        }

        await _admin.DisposeAsync().ConfigureAwait(false);
        _throwaway?.Stop();
    }

    /// <summary>Synchronous stop for <see cref="AppDomain.ProcessExit"/>, where nothing may be awaited.</summary>
    public void Stop() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static async Task<PostgresCluster> StartSharedAsync()
    {
        var cluster = await StartAsync().ConfigureAwait(false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop();
        return cluster;
    }

    private static async Task<PostgresCluster> ConnectAsync(string connectionString, CancellationToken ct)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new InvalidOperationException($"{ServerVariable} is not a valid Npgsql connection string.");
        }

        var cluster = new PostgresCluster(builder.ConnectionString, throwaway: null);
        try
        {
            await cluster.ExecuteAdminAsync("SELECT 1", ct).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            await cluster._admin.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException(
                $"{ServerVariable} names a PostgreSQL server at {builder.Host}:{builder.Port} that does not answer ({ex.GetType().Name}: {(ex as PostgresException)?.SqlState ?? "connection failed"}).");
        }

        return cluster;
    }

    private static async Task<PostgresCluster> StartThrowawayAsync(CancellationToken ct)
    {
        var binaries = FindBinaries()
            ?? throw new InvalidOperationException(
                $"No PostgreSQL server for the tests: set {ServerVariable} to a connection string of a server where they may create databases " +
                "(e.g. 'Host=127.0.0.1;Username=postgres;Password=...'), or install the PostgreSQL server binaries (initdb, pg_ctl; " +
                "Debian: apt-get install postgresql) so a throwaway cluster can be started.");
        var runAs = ServerUser();
        Throwaway.RemoveStale(binaries, runAs);

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var throwaway = Throwaway.Create(binaries, runAs);
            try
            {
                await throwaway.StartAsync(ct).ConfigureAwait(false);
                var admin = new NpgsqlConnectionStringBuilder
                {
                    Host = "127.0.0.1",
                    Port = throwaway.Port,
                    Username = "postgres",
                    Database = "postgres",
                    ApplicationName = "koderid-tests",
                    MaxPoolSize = 20,
                };
                var cluster = new PostgresCluster(admin.ConnectionString, throwaway);
                await cluster.ExecuteAdminAsync("SELECT 1", ct).ConfigureAwait(false);
                return cluster;
            }
            catch (Exception ex) when (ex is InvalidOperationException or NpgsqlException)
            {
                // Most likely another process took the free port between our probe and the server's bind.
                last = ex;
                throwaway.Stop();
            }
        }

        throw new InvalidOperationException("The throwaway PostgreSQL cluster did not start; see the inner exception for its log.", last);
    }

    private async Task ExecuteAdminAsync(string sql, CancellationToken ct)
    {
        await using var cmd = _admin.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The folder holding <c>initdb</c> and <c>pg_ctl</c>: <c>pg_config --bindir</c>, then PATH, then <c>/usr/lib/postgresql/*/bin</c>.</summary>
    private static string? FindBinaries()
    {
        static bool Has(string? folder) =>
            !string.IsNullOrEmpty(folder) && File.Exists(Path.Combine(folder, "initdb")) && File.Exists(Path.Combine(folder, "pg_ctl"));

        var candidates = new List<string?>();
        try
        {
            var result = Shell.Run("pg_config", ["--bindir"], runAs: null, workingDirectory: null, TimeSpan.FromSeconds(10));
            if (result.ExitCode == 0)
            {
                candidates.Add(result.StdOut.Trim());
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // pg_config is not installed (it comes with the client or dev packages): try the other places.
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1)
                .Select(d => Path.Combine(d, "bin")));
        }

        return candidates.FirstOrDefault(Has);
    }

    /// <summary>null when we may run the server ourselves; the OS user to run it as when we are root.</summary>
    private static string? ServerUser()
    {
        var euid = Shell.Run("id", ["-u"], runAs: null, workingDirectory: null, TimeSpan.FromSeconds(10));
        if (euid.StdOut.Trim() != "0")
        {
            return null;
        }

        var user = Shell.Run("id", ["-u", ServerOsUser], runAs: null, workingDirectory: null, TimeSpan.FromSeconds(10));
        if (user.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"The tests run as root and PostgreSQL refuses to run as root, but there is no '{ServerOsUser}' OS user to start the " +
                $"throwaway cluster as. Create one (useradd --system {ServerOsUser}), run the tests as an unprivileged user, or set {ServerVariable}.");
        }

        if (Shell.Find("runuser") is null && Shell.Find("setpriv") is null)
        {
            throw new InvalidOperationException(
                $"The tests run as root and need 'runuser' or 'setpriv' (util-linux) to start PostgreSQL as '{ServerOsUser}'; or set {ServerVariable}.");
        }

        return ServerOsUser;
    }

    /// <summary>A cluster in a temporary folder, owned by the user the server runs as.</summary>
    private sealed class Throwaway
    {
        private readonly string _binaries;
        private readonly string? _runAs;
        private int _stopped;

        private readonly Process _watchdog;

        private Throwaway(string binaries, string? runAs, string folder, int port)
        {
            _binaries = binaries;
            _runAs = runAs;
            Folder = folder;
            Port = port;
            _watchdog = StartWatchdog(binaries, runAs, folder);
        }

        public string Folder { get; }

        public int Port { get; }

        private string DataFolder => Path.Combine(Folder, "data");

        private string LogFile => Path.Combine(Folder, "server.log");

        public static Throwaway Create(string binaries, string? runAs)
        {
            // Short on purpose: the Unix socket path (folder + "/.s.PGSQL.<port>") must stay under 108 bytes.
            var folder = Path.Combine(Path.GetTempPath(), FolderPrefix + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            if (runAs is not null)
            {
                Shell.Check(Shell.Run("chown", ["-R", $"{runAs}:", folder], runAs: null, workingDirectory: null, TimeSpan.FromSeconds(10)), "chown");
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            return new Throwaway(binaries, runAs, folder, FreePort());
        }

        public async Task StartAsync(CancellationToken ct)
        {
            // --no-sync only skips flushing the freshly created template files; the running server is durable (fsync=on).
            await RunAsync("initdb", ["-D", DataFolder, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"], TimeSpan.FromMinutes(2), ct)
                .ConfigureAwait(false);
            var options = string.Join(' ',
                $"-c port={Port}",
                "-c listen_addresses=127.0.0.1",
                $"-c unix_socket_directories='{Folder}'",
                "-c fsync=on",
                "-c synchronous_commit=on",
                "-c full_page_writes=on",
                "-c max_connections=300",
                "-c logging_collector=off");
            try
            {
                await RunAsync("pg_ctl", ["-D", DataFolder, "-l", LogFile, "-w", "-t", "60", "-o", options, "start"], TimeSpan.FromSeconds(90), ct).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex)
            {
                var log = File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no server log)";
                throw new InvalidOperationException($"{ex.Message}\n--- server log ---\n{log}", ex);
            }
        }

        public void Stop()
        {
            if (Interlocked.Exchange(ref _stopped, 1) == 1)
            {
                return;
            }

            StopAndDelete(_binaries, _runAs, Folder);
            try
            {
                _watchdog.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It has exited already.
            }

            _watchdog.Dispose();
        }

        /// <summary>
        /// A detached shell that outlives this process: once it is gone (even by SIGKILL, or a test runner that
        /// kills its host before AppDomain.ProcessExit finishes) it stops the server and deletes the folder.
        /// </summary>
        private static Process StartWatchdog(string binaries, string? runAs, string folder)
        {
            const string Script = """
                exec </dev/null >/dev/null 2>&1
                owner=$1; pgctl=$2; folder=$3; shift 3
                while kill -0 "$owner"; do sleep 1; done
                if [ -f "$folder/data/postmaster.pid" ]; then "$@" "$pgctl" -D "$folder/data" -m immediate -w -t 30 stop; fi
                rm -rf "$folder"
                """;
            var start = new ProcessStartInfo("/bin/sh")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetTempPath(),
            };
            foreach (var a in (string[])["-c", Script, "koderid-pg-watchdog", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), Path.Combine(binaries, "pg_ctl"), folder])
            {
                start.ArgumentList.Add(a);
            }

            foreach (var a in Shell.RunAsPrefix(runAs))
            {
                start.ArgumentList.Add(a);
            }

            return Process.Start(start) ?? throw new InvalidOperationException("The cluster watchdog did not start.");
        }

        /// <summary>Stops and deletes clusters left behind by test processes that were killed before they could clean up.</summary>
        public static void RemoveStale(string binaries, string? runAs)
        {
            foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
            {
                try
                {
                    var owner = File.ReadAllText(Path.Combine(folder, OwnerFile)).Trim();
                    if (int.TryParse(owner, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !IsAlive(pid))
                    {
                        StopAndDelete(binaries, runAs, folder);
                    }
                }
                catch (IOException)
                {
                    // Not ours or half-created by a concurrent run: leave it.
                }
                catch (UnauthorizedAccessException)
                {
                    // Another user's cluster.
                }
            }
        }

        private static void StopAndDelete(string binaries, string? runAs, string folder)
        {
            var data = Path.Combine(folder, "data");
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                // immediate: the data is thrown away next, so there is nothing worth a shutdown checkpoint.
                Shell.Run(Path.Combine(binaries, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"], runAs, folder, TimeSpan.FromSeconds(40));
            }

            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a dying server process; the OS temp cleaner takes the rest.
            }
            catch (UnauthorizedAccessException)
            {
                // Same, for a file the server created with a mode we cannot remove as this user.
            }
        }

        private static bool IsAlive(int pid)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        private async Task RunAsync(string tool, string[] args, TimeSpan timeout, CancellationToken ct)
        {
            var result = await Task.Run(() => Shell.Run(Path.Combine(_binaries, tool), args, _runAs, Folder, timeout), ct).ConfigureAwait(false);
            Shell.Check(result, tool);
        }

        private static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return port;
        }
    }

    private sealed record ShellResult(string Command, int ExitCode, string StdOut, string StdErr);

    private static class Shell
    {
        public static ShellResult Run(string file, IReadOnlyList<string> args, string? runAs, string? workingDirectory, TimeSpan timeout)
        {
            var start = new ProcessStartInfo
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            if (workingDirectory is not null)
            {
                // The server's user may not be able to enter our working directory.
                start.WorkingDirectory = workingDirectory;
            }

            var command = RunAsPrefix(runAs).Append(file).ToArray();
            start.FileName = command[0];
            foreach (var a in command.Skip(1))
            {
                start.ArgumentList.Add(a);
            }

            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                return new ShellResult(Path.GetFileName(file), -1, stdout.Result, stderr.Result + $"\n(timed out after {timeout.TotalSeconds:0} s)");
            }

            return new ShellResult(Path.GetFileName(file), process.ExitCode, stdout.Result, stderr.Result);
        }

        public static void Check(ShellResult result, string what)
        {
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"{what} failed (exit {result.ExitCode}): {result.StdErr.Trim()} {result.StdOut.Trim()}");
            }
        }

        /// <summary>What to put before a command so it runs as <paramref name="runAs"/> (nothing when null).</summary>
        public static string[] RunAsPrefix(string? runAs)
        {
            if (runAs is null)
            {
                return [];
            }

            return Find("runuser") is { } runuser
                ? [runuser, "-u", runAs, "--"]
                : [Find("setpriv")!, $"--reuid={runAs}", $"--regid={runAs}", "--init-groups"];
        }

        public static string? Find(string tool) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"])
            .Select(folder => Path.Combine(folder, tool))
            .FirstOrDefault(File.Exists);
    }
}
