using KoderId.Domain.Users;

namespace KoderId.Application.Credentials.Commands;

internal static class CredentialChecks
{
    public static void EnsureMeetsPolicy(string password, PasswordPolicy policy, UserState user)
    {
        ArgumentNullException.ThrowIfNull(password);
        var errors = PasswordPolicyValidator.Validate(password, policy, user.Username, user.Email);
        if (errors.Count > 0)
        {
            throw new PasswordPolicyException(errors);
        }
    }
}
