using System.CommandLine;

namespace KoderId.Cli.Server;

/// <summary>The options of every command that talks to a running server (recursive: before or after the subcommand).</summary>
internal sealed class ServerOptions
{
    public const string ServerVariable = "KODERID_SERVER";
    public const string KeyVariable = "KODERID_KEY";
    public const string DefaultServer = "http://127.0.0.1:8080";

    public Option<string?> Server { get; } = new("--server")
    {
        Description = $"Base URL of the Koder ID server [default: ${ServerVariable}, else {DefaultServer}]",
        HelpName = "url",
        Recursive = true,
    };

    public Option<string?> Key { get; } = new("--key")
    {
        Description = $"Admin API key, sent as a bearer token and never printed [default: ${KeyVariable}]",
        HelpName = "key",
        Recursive = true,
    };

    public Option<string?> Tenant { get; } = new("--tenant")
    {
        Description = "Tenant id, sent as X-Tenant-ID [default: the server's default tenant]",
        HelpName = "id",
        Recursive = true,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(Key);
        command.Options.Add(Tenant);
    }
}
