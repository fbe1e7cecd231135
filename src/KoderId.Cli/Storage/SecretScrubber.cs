using System.Data.Common;

namespace KoderId.Cli.Storage;

/// <summary>
/// Keeps connection-string secrets out of everything the CLI prints: any text about to be written is
/// scrubbed of the password values found in the connection string in use, whatever the driver put in its messages.
/// </summary>
internal sealed class SecretScrubber
{
    private static readonly string[] SecretKeys = ["password", "pwd", "passphrase", "sslpassword", "ssl password"];
    private readonly string[] _secrets;

    private SecretScrubber(string[] secrets) => _secrets = secrets;

    public static SecretScrubber None { get; } = new([]);

    public static SecretScrubber For(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return None;
        }

        var secrets = new List<string>();
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            foreach (string key in builder.Keys)
            {
                if (SecretKeys.Contains(key.Trim(), StringComparer.OrdinalIgnoreCase) && builder[key]?.ToString() is { Length: > 0 } value)
                {
                    secrets.Add(value);
                }
            }
        }
        catch (ArgumentException)
        {
            // Unparsable: it is never echoed (errors name its source, not its text), so there is nothing to find.
        }

        return new SecretScrubber(secrets.OrderByDescending(s => s.Length).ToArray());
    }

    public string Scrub(string text)
    {
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }
}
