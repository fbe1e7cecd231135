using System.Data.Common;
using System.Text.RegularExpressions;

namespace KoderId.Cli.Storage;

/// <summary>
/// Keeps connection-string secrets out of everything the CLI prints: any text about to be written is
/// scrubbed of the password values found in the connection string in use, whatever the driver put in its messages.
/// </summary>
internal sealed partial class SecretScrubber
{
    private static readonly string[] SecretKeys = ["password", "pwd", "passphrase", "sslpassword", "ssl password"];
    private readonly string[] _secrets;

    private SecretScrubber(string[] secrets) => _secrets = secrets;

    public static SecretScrubber None { get; } = new([]);

    /// <summary>Exactly these values (an API key): replaced wherever they appear.</summary>
    public static SecretScrubber Of(params IEnumerable<string?> secrets)
    {
        var values = secrets.Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToArray();
        return values.Length == 0 ? None : new SecretScrubber(values);
    }

    /// <summary>Secrets in any of <paramref name="texts"/>: connection strings, or fragments of one (an unquoted one split by the shell).</summary>
    public static SecretScrubber For(params IEnumerable<string?> texts)
    {
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            try
            {
                var builder = new DbConnectionStringBuilder { ConnectionString = text };
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
                // Not a whole connection string; the pattern below still finds 'Password=...' in it.
            }

            foreach (Match match in SecretPattern().Matches(text))
            {
                if (match.Groups["value"].Value.Trim().Trim('"', '\'') is { Length: > 0 } value)
                {
                    secrets.Add(value);
                }
            }
        }

        return secrets.Count == 0 ? None : new SecretScrubber(secrets.OrderByDescending(s => s.Length).ToArray());
    }

    [GeneratedRegex(@"(?:password|pwd|passphrase|ssl\s?password)\s*=\s*(?<value>[^;]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretPattern();

    public string Scrub(string text)
    {
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }
}
