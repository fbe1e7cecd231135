namespace KoderId.Application.Credentials;

/// <summary>
/// What a new password must satisfy, per NIST SP 800-63B §3.1.1.2: a length window and a blocklist, and no
/// composition rules (no "one digit, one symbol"), which make passwords weaker and easier to guess.
/// </summary>
public sealed record PasswordPolicy
{
    /// <summary>800-63B asks verifiers to accept at least 64 characters.</summary>
    public const int MinimumAllowedMaxLength = 64;

    public PasswordPolicy(int minLength = 12, int maxLength = 128)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minLength, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, MinimumAllowedMaxLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, minLength);
        MinLength = minLength;
        MaxLength = maxLength;
    }

    public static PasswordPolicy Default { get; } = new();

    /// <summary>Fewest code points after NFKC normalisation.</summary>
    public int MinLength { get; }

    /// <summary>Most code points after NFKC normalisation.</summary>
    public int MaxLength { get; }
}

/// <summary>A rule a password broke. Stable code and name; never the password itself.</summary>
public sealed record PasswordPolicyError(string Code, string Name)
{
    public static PasswordPolicyError TooShort { get; } = new("KID1101", "password.too_short");
    public static PasswordPolicyError TooLong { get; } = new("KID1102", "password.too_long");
    public static PasswordPolicyError Common { get; } = new("KID1103", "password.common");
    public static PasswordPolicyError ContainsIdentifier { get; } = new("KID1104", "password.contains_identifier");

    /// <summary>The text is not well-formed UTF-16 (a lone surrogate), so it has no stable UTF-8 form to hash.</summary>
    public static PasswordPolicyError InvalidText { get; } = new("KID1107", "password.invalid_text");
}
