namespace KoderId.Oidc.Clients.Redirects;

/// <summary>
/// Redirect URI matching (RFC 9700 §4.1.3): exact string comparison, except that a loopback IP-literal
/// redirect (<c>http://127.0.0.1</c>, <c>http://[::1]</c>) may use any port (RFC 8252 §7.3). Everything else
/// — path, query, case, a trailing slash — must be the same characters.
/// </summary>
public static class RedirectUriMatcher
{
    private static readonly string[] LoopbackPrefixes = ["http://127.0.0.1", "http://[::1]"];

    public static bool Matches(string registered, string requested)
    {
        ArgumentNullException.ThrowIfNull(registered);
        ArgumentNullException.ThrowIfNull(requested);
        if (string.Equals(registered, requested, StringComparison.Ordinal))
        {
            return !requested.Contains('#', StringComparison.Ordinal);
        }

        return TrySplitLoopback(registered, out var host, out var rest)
            && TrySplitLoopback(requested, out var requestedHost, out var requestedRest)
            && string.Equals(host, requestedHost, StringComparison.Ordinal)
            && string.Equals(rest, requestedRest, StringComparison.Ordinal)
            && !requested.Contains('#', StringComparison.Ordinal);
    }

    /// <summary>Splits <c>http://127.0.0.1:8080/cb?x</c> into its loopback prefix and <c>/cb?x</c>, dropping the port.</summary>
    private static bool TrySplitLoopback(string uri, out string host, out string rest)
    {
        host = rest = "";
        foreach (var prefix in LoopbackPrefixes)
        {
            if (!uri.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var i = prefix.Length;
            if (i < uri.Length && uri[i] == ':')
            {
                var start = ++i;
                while (i < uri.Length && char.IsAsciiDigit(uri[i]))
                {
                    i++;
                }

                if (i == start || i - start > 5)
                {
                    return false;
                }
            }

            if (i < uri.Length && uri[i] is not ('/' or '?'))
            {
                return false;
            }

            host = prefix;
            rest = uri[i..];
            return true;
        }

        return false;
    }
}
