using System.CommandLine;

namespace KoderId.Cli;

/// <summary>Where a setting came from, named in error messages so the user knows what to fix.</summary>
internal sealed record StoreSettings(string Provider, string ProviderSource, string ConnectionString, string ConnectionSource);

/// <summary>
/// The options every store command takes. They are recursive, so they may be given before or after the
/// subcommand (<c>koderid --json audit verify</c> and <c>koderid audit verify --json</c> both work).
/// </summary>
internal sealed class GlobalOptions
{
    public const string ProviderVariable = "KoderId__Storage__Provider";
    public const string ConnectionVariable = "KoderId__Storage__ConnectionString";
    public const string DefaultProvider = "sqlite";
    public const string DefaultConnectionString = "Data Source=./data/koderid.db";

    public Option<string?> Provider { get; } = new("--provider")
    {
        Description = $"Storage provider: sqlite or postgres [default: ${ProviderVariable}, else {DefaultProvider}]",
        HelpName = "sqlite|postgres",
        Recursive = true,
    };

    public Option<string?> Connection { get; } = new("--connection")
    {
        Description = $"Store connection string [default: ${ConnectionVariable}, else '{DefaultConnectionString}']",
        HelpName = "connection string",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Machine-readable JSON output on stdout (no tables, no progress bars)",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Provider);
        root.Options.Add(Connection);
        root.Options.Add(Json);
    }

    /// <summary>The option if given, else the environment variable if set, else the built-in default.</summary>
    public StoreSettings Resolve(ParseResult parse, Func<string, string?> environment)
    {
        var (provider, providerSource) = Pick(parse.GetValue(Provider), "--provider", environment(ProviderVariable), ProviderVariable, DefaultProvider);
        var (connection, connectionSource) = Pick(parse.GetValue(Connection), "--connection", environment(ConnectionVariable), ConnectionVariable, DefaultConnectionString);
        return new StoreSettings(provider.Trim(), providerSource, connection, connectionSource);
    }

    private static (string Value, string Source) Pick(string? option, string optionName, string? variable, string variableName, string fallback) =>
        option is not null ? (option, optionName)
        : !string.IsNullOrWhiteSpace(variable) ? (variable, variableName)
        : (fallback, $"the built-in default (neither {optionName} nor {variableName} is set)");
}
