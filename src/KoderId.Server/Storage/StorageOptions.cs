using Microsoft.Extensions.Options;

namespace KoderId.Server.Storage;

/// <summary>The <c>KoderId:Storage</c> section (env <c>KoderId__Storage__Provider</c>, <c>KoderId__Storage__ConnectionString</c>).</summary>
public sealed class StorageOptions
{
    public const string Section = "KoderId:Storage";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    public const string InMemory = "inmemory";

    /// <summary>The embedded default: one file under the working directory, created on first start.</summary>
    public const string DefaultSqliteConnectionString = "Data Source=./data/koderid.db";

    public static readonly IReadOnlyList<string> Providers = [Sqlite, Postgres, InMemory];

    /// <summary><c>sqlite</c> (default), <c>postgres</c> or <c>inmemory</c>; case-insensitive.</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>Driver connection string; empty means the provider's default (SQLite only). Never logged.</summary>
    public string? ConnectionString { get; set; }

    public string NormalizedProvider => Provider.ToLowerInvariant();

    internal static string UnknownProvider(string? value) =>
        $"{Section}:Provider must be one of {string.Join(", ", Providers)} (got '{(value is { Length: > 40 } ? value[..40] + "..." : value)}').";
}

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        if (options.Provider is null || !StorageOptions.Providers.Contains(options.NormalizedProvider))
        {
            return ValidateOptionsResult.Fail(StorageOptions.UnknownProvider(options.Provider));
        }

        return ValidateOptionsResult.Success;
    }
}
