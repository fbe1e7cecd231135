using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MimeKit;

namespace KoderId.Oidc.Tests.Email;

/// <summary>
/// A real SMTP server on a free loopback port: aiosmtpd (Debian's python3-aiosmtpd) with its Maildir handler,
/// so each message the host sends over SMTP lands as a file that MimeKit parses back.
/// </summary>
public sealed partial class LocalSmtpServer : IAsyncLifetime
{
    private readonly string _maildir = Path.Combine(Path.GetTempPath(), "koderid-smtp-" + Guid.NewGuid().ToString("N"));
    private Process? _process;

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        Port = FreePort();
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", _maildir })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"aiosmtpd exited with {_process.ExitCode}: install python3-aiosmtpd.");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Every message received so far.</summary>
    public IReadOnlyList<MimeMessage> Messages()
    {
        var files = new[] { "new", "cur" }.Select(d => Path.Combine(_maildir, d)).Where(Directory.Exists).SelectMany(Directory.GetFiles);
        var messages = new List<MimeMessage>();
        foreach (var file in files)
        {
            messages.Add(MimeMessage.Load(file));
        }

        return messages;
    }

    public IReadOnlyList<MimeMessage> To(string address) =>
        Messages().Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase))).ToList();

    /// <summary>Waits (generously: mail goes out in the background) until <paramref name="count"/> messages to the address have arrived.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(string address, int count = 1, string? kind = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var found = To(address).Where(m => kind is null || m.Headers["X-KoderId-Kind"] == kind).ToList();
            if (found.Count >= count)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{count} message(s) of kind {kind ?? "any"} to {address} did not arrive; got {found.Count}.");
            await Task.Delay(50);
        }
    }

    /// <summary>The first link to <paramref name="path"/> in the message's text body.</summary>
    public static Uri Link(MimeMessage message, string path)
    {
        ArgumentNullException.ThrowIfNull(message);
        var match = Regex.Match(message.TextBody ?? "", "https?://[^\\s]+" + Regex.Escape(path) + "\\?[^\\s]+");
        Assert.True(match.Success, $"no {path} link in: {message.TextBody}");
        return new Uri(match.Value);
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(_maildir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }

        return Task.CompletedTask;
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
