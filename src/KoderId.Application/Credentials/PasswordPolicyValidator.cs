namespace KoderId.Application.Credentials;

/// <summary>
/// Checks a new password against a <see cref="PasswordPolicy"/> (NIST SP 800-63B §3.1.1.2). Returns every
/// rule broken, as stable codes; the password never appears in a result, a message or a log.
/// </summary>
public static class PasswordPolicyValidator
{
    /// <summary>Identifiers shorter than this are too likely to appear by chance ("al" in "metallica").</summary>
    public const int MinIdentifierLength = 3;

    /// <summary>The broken rules; empty when the password is acceptable.</summary>
    public static IReadOnlyList<PasswordPolicyError> Validate(string password, PasswordPolicy policy, string? username = null, string? email = null)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(policy);
        if (!PasswordText.IsWellFormed(password))
        {
            return [PasswordPolicyError.InvalidText];
        }

        var normalized = PasswordText.Normalize(password);
        var errors = new List<PasswordPolicyError>();
        var length = PasswordText.CodePoints(normalized);
        if (length < policy.MinLength)
        {
            errors.Add(PasswordPolicyError.TooShort);
        }
        else if (length > policy.MaxLength)
        {
            errors.Add(PasswordPolicyError.TooLong);
        }

        if (CommonPasswords.Contains(normalized))
        {
            errors.Add(PasswordPolicyError.Common);
        }

        if (Contains(normalized, username) || Contains(normalized, EmailLocalPart(email)))
        {
            errors.Add(PasswordPolicyError.ContainsIdentifier);
        }

        return errors;
    }

    private static string? EmailLocalPart(string? email)
    {
        if (string.IsNullOrEmpty(email))
        {
            return null;
        }

        var at = email.LastIndexOf('@');
        return at < 0 ? email : email[..at];
    }

    private static bool Contains(string normalizedPassword, string? identifier)
    {
        if (identifier is null || !PasswordText.IsWellFormed(identifier))
        {
            return false;
        }

        var normalized = PasswordText.Normalize(identifier.Trim());
        return PasswordText.CodePoints(normalized) >= MinIdentifierLength
            && normalizedPassword.Contains(normalized, StringComparison.OrdinalIgnoreCase);
    }
}
