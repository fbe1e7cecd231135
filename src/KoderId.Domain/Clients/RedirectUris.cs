using System.Globalization;

namespace KoderId.Domain.Clients;

/// <summary>
/// Which redirect (and post-logout redirect) URIs a client may register (OAuth 2.1 §2.3.1, RFC 8252 §7,
/// RFC 9700 §4.1): absolute, no fragment, no userinfo, no whitespace; https anywhere, http only on a loopback
/// host (<c>127.0.0.1</c>, <c>[::1]</c>, <c>localhost</c>); a private-use scheme in reverse-DNS form
/// (<c>com.example.app:/cb</c>) only for a public (native) client; script and file schemes never.
/// </summary>
public static class RedirectUriRules
{
    public const int MaxLength = 2000;

    private static readonly string[] ForbiddenSchemes = ["javascript", "data", "vbscript", "file", "blob", "about"];

    /// <summary>null when <paramref name="uri"/> may be registered, else why not (no secret, safe to show).</summary>
    public static string? Check(string? uri, bool publicClient)
    {
        if (string.IsNullOrEmpty(uri) || uri.Length > MaxLength)
        {
            return $"A redirect URI is 1 to {MaxLength} characters.";
        }

        if (uri.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c > '\u007e'))
        {
            return "A redirect URI holds no whitespace, control or non-ASCII characters (percent-encode them).";
        }

        var colon = uri.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon > 0 ? uri[..colon].ToLowerInvariant() : "";
        if (ForbiddenSchemes.Contains(scheme, StringComparer.Ordinal))
        {
            return $"The {scheme}: scheme is never a redirect URI.";
        }

        if (uri.Contains('#', StringComparison.Ordinal))
        {
            return "A redirect URI has no fragment.";
        }

        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || scheme.Length == 0 || !IsScheme(scheme))
        {
            return "A redirect URI is an absolute URI.";
        }

        if (!string.IsNullOrEmpty(parsed.UserInfo) || Authority(uri)?.Contains('@', StringComparison.Ordinal) == true)
        {
            return "A redirect URI has no user information.";
        }

        switch (scheme)
        {
            case "https":
                return string.IsNullOrEmpty(parsed.Host) || !uri[(colon + 1)..].StartsWith("//", StringComparison.Ordinal)
                    ? "An https redirect URI names a host."
                    : null;
            case "http":
                return IsLoopbackHost(parsed.Host) ? null : "http is only for a loopback redirect URI (127.0.0.1, [::1] or localhost); use https.";
            default:
                if (!publicClient)
                {
                    return "A private-use scheme is only for a public (native) client.";
                }

                // RFC 8252 §7.1: a reverse domain name the app controls, so two apps do not claim the same scheme.
                return scheme.Contains('.', StringComparison.Ordinal) ? null : "A private-use scheme is a reverse domain name (com.example.app:/callback).";
        }
    }

    public static bool IsLoopbackHost(string host) =>
        string.Equals(host, "127.0.0.1", StringComparison.Ordinal)
        || string.Equals(host, "[::1]", StringComparison.Ordinal)
        || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase);

    private static bool IsScheme(string scheme) =>
        char.IsAsciiLetterLower(scheme[0]) && scheme.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '+' or '-' or '.');

    private static string? Authority(string uri)
    {
        var start = uri.IndexOf("//", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var rest = uri[(start + 2)..];
        var end = rest.IndexOfAny(['/', '?', '#']);
        return end < 0 ? rest : rest[..end];
    }
}

/// <summary>
/// Whether a requested redirect URI matches a registered one: exact string comparison (RFC 9700 §4.1.3, no
/// normalisation of case, slashes, percent-encoding or query), with one exception: for a registered
/// loopback IP-literal http redirect (<c>http://127.0.0.1/cb</c>, <c>http://[::1]/cb</c>) the port of the
/// request may be any (RFC 8252 §7.3), everything else still exact. <c>localhost</c> gets no such exception
/// (RFC 8252 §8.3: it may not resolve to loopback).
/// </summary>
public static class RedirectUriMatcher
{
    private static readonly string[] LoopbackPrefixes = ["http://127.0.0.1", "http://[::1]"];

    public static bool Matches(string? registered, string? requested)
    {
        if (registered is null || requested is null)
        {
            return false;
        }

        if (string.Equals(registered, requested, StringComparison.Ordinal))
        {
            return true;
        }

        foreach (var prefix in LoopbackPrefixes)
        {
            if (registered.StartsWith(prefix, StringComparison.Ordinal) && requested.StartsWith(prefix, StringComparison.Ordinal))
            {
                return StripPort(registered[prefix.Length..]) is { } a
                    && StripPort(requested[prefix.Length..]) is { } b
                    && string.Equals(a, b, StringComparison.Ordinal)
                    && !b.Contains('#', StringComparison.Ordinal);
            }
        }

        return false;
    }

    /// <summary>What follows the host: an optional <c>:port</c> (1–65535) dropped, then a path, query or nothing; null for anything else (userinfo, a longer host).</summary>
    private static string? StripPort(string afterHost)
    {
        var rest = afterHost;
        if (rest.StartsWith(':'))
        {
            var digits = 0;
            while (digits + 1 < rest.Length && char.IsAsciiDigit(rest[digits + 1]))
            {
                digits++;
            }

            if (digits is 0 or > 5 || int.Parse(rest.AsSpan(1, digits), NumberStyles.None, CultureInfo.InvariantCulture) is 0 or > 65535)
            {
                return null;
            }

            rest = rest[(digits + 1)..];
        }

        return rest.Length == 0 || rest[0] is '/' or '?' ? rest : null;
    }
}
