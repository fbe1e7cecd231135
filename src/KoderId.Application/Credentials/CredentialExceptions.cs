namespace KoderId.Application.Credentials;

/// <summary>
/// A new password broke the tenant's policy. <see cref="Errors"/> lists every rule broken (KID1101-KID1104,
/// KID1107), so a form can show them all at once; the message names the codes only, never the password.
/// </summary>
public sealed class PasswordPolicyException(IReadOnlyList<PasswordPolicyError> errors)
    : Exception($"The password does not meet the policy: {string.Join(", ", errors.Select(e => $"{e.Code} {e.Name}"))}.")
{
    public IReadOnlyList<PasswordPolicyError> Errors { get; } = errors;

    public IReadOnlyList<string> Codes => [.. Errors.Select(e => e.Code)];
}

/// <summary>
/// The current password given to a change did not verify (also: the user has none). KID1108, one answer
/// for every cause so a caller learns nothing about the account.
/// </summary>
public sealed class InvalidCredentialsException() : Exception($"{Code} {Name}: the credentials are not valid.")
{
    public const string Code = "KID1108";
    public const string Name = "password.invalid_credentials";
}
