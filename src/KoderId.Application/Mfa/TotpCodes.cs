using System.Security.Cryptography;
using System.Text;
using KoderId.Domain;
using OtpNet;

namespace KoderId.Application.Mfa;

/// <summary>
/// RFC 6238 as ADR 0006 fixes it: HMAC-SHA-1, 6 digits, 30-second steps, a code accepted within ±1 step of now
/// (clock drift and typing time). Otp.NET computes the codes; the comparison here is constant-time and tries
/// every candidate step, so the time taken does not say which step (if any) matched.
/// </summary>
public static class TotpCodes
{
    public const int Digits = 6;
    public const int PeriodSeconds = 30;
    public const string Algorithm = "SHA1";

    /// <summary>How many steps either side of now a code is accepted from.</summary>
    public const int Window = 1;

    /// <summary>160 bits, the HMAC-SHA-1 key size RFC 4226 §4 recommends.</summary>
    public const int SecretBytes = 20;

    /// <summary>A fresh random secret as RFC 4648 base32 without padding (32 characters).</summary>
    public static string NewSecret() => Base32Encoding.ToString(RandomNumberGenerator.GetBytes(SecretBytes)).TrimEnd('=');

    /// <summary>The RFC 6238 time step of <paramref name="at"/>: Unix seconds / 30, rounded down.</summary>
    public static long StepAt(DateTimeOffset at) => at.ToUnixTimeSeconds() / PeriodSeconds;

    /// <summary>The code of one time step (for tests and for the confirmation check).</summary>
    public static string CodeAt(string base32Secret, long step) =>
        new Totp(Base32Encoding.ToBytes(base32Secret), PeriodSeconds, OtpHashMode.Sha1, Digits)
            .ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * PeriodSeconds).UtcDateTime);

    /// <summary>
    /// A code as typed: spaces (a "123 456" grouping) are dropped, then it must be exactly 6 ASCII digits, or
    /// KID1326. Throws before any secret is touched, so a malformed request is cheap and says nothing.
    /// </summary>
    public static string Normalize(string? code)
    {
        var trimmed = (code ?? "").Replace(" ", "", StringComparison.Ordinal);
        if (trimmed.Length != Digits || !trimmed.All(char.IsAsciiDigit))
        {
            throw new DomainException(DomainErrors.TotpMalformedCode, $"A TOTP code is {Digits} digits.");
        }

        return trimmed;
    }

    /// <summary>
    /// The time step within ±<see cref="Window"/> of <paramref name="now"/> whose code equals <paramref name="code"/>
    /// (a normalised code), or null. When two steps match (a 1-in-a-million collision) the later one is taken,
    /// which spends the most. A secret that does not decode (erased: <c>[erased]</c>) matches nothing.
    /// </summary>
    public static long? Match(string base32Secret, string code, DateTimeOffset now)
    {
        if (!Domain.Mfa.UserMfa.IsValidSecret(base32Secret))
        {
            return null;
        }

        var totp = new Totp(Base32Encoding.ToBytes(base32Secret), PeriodSeconds, OtpHashMode.Sha1, Digits);
        var given = Encoding.ASCII.GetBytes(code);
        var current = StepAt(now);
        long? matched = null;
        for (var step = current - Window; step <= current + Window; step++)
        {
            var expected = Encoding.ASCII.GetBytes(totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * PeriodSeconds).UtcDateTime));
            if (CryptographicOperations.FixedTimeEquals(expected, given))
            {
                matched = step;
            }
        }

        return matched;
    }

    /// <summary>
    /// The Key URI an authenticator app scans:
    /// <c>otpauth://totp/{issuer}:{account}?secret=...&amp;issuer=...&amp;algorithm=SHA1&amp;digits=6&amp;period=30</c>,
    /// issuer and account percent-encoded (a colon in either cannot break the label).
    /// </summary>
    public static string OtpAuthUri(string issuer, string account, string base32Secret)
    {
        var i = Uri.EscapeDataString(issuer);
        return $"otpauth://totp/{i}:{Uri.EscapeDataString(account)}?secret={base32Secret}&issuer={i}&algorithm={Algorithm}&digits={Digits}&period={PeriodSeconds}";
    }
}
