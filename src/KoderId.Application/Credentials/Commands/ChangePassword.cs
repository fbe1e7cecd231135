using KoderId.Application.Common;
using KoderId.Application.Users;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Credentials.Commands;

/// <summary>The user replaces its password, proving the current one first (<c>user.password-set.v1</c>, reason <c>change</c>).</summary>
public sealed record ChangePassword(string TenantId, string UserId, string CurrentPassword, string NewPassword) : ICommand<CommandResult>
{
    public override string ToString() => $"ChangePassword {{ TenantId = {TenantId}, UserId = {UserId}, CurrentPassword = [redacted], NewPassword = [redacted] }}";
}

/// <summary>
/// Order: the user must be able to sign in (KID1011-KID1016), the new password must meet the policy (so a
/// policy failure costs no hash), the current one must verify (KID1108), then the new hash is appended.
/// </summary>
public sealed class ChangePasswordHandler(AggregateStore aggregates, PasswordHashingService hashing, ICredentialPolicies policies)
    : ICommandHandler<ChangePassword, CommandResult>
{
    public async ValueTask<CommandResult> Handle(ChangePassword command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var policy = await policies.GetAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        var user = await aggregates.LoadUserAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        User.EnsurePasswordCanBeChanged(user);
        if (user.Password is null)
        {
            // A user without a password cannot prove one; the same answer as a wrong one.
            throw new InvalidCredentialsException();
        }

        CredentialChecks.EnsureMeetsPolicy(command.NewPassword, policy.Password, user);

        var verified = user.Password.Phc;
        if (await hashing.VerifyAsync(command.CurrentPassword, verified, policy.Hashing, cancellationToken).ConfigureAwait(false) == PasswordVerification.Failed)
        {
            throw new InvalidCredentialsException();
        }

        var hash = await hashing.HashAsync(command.NewPassword, policy.Hashing, cancellationToken).ConfigureAwait(false);
        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s =>
        {
            CredentialChecks.EnsureMeetsPolicy(command.NewPassword, policy.Password, s);
            return User.ChangePassword(s, verified, hash);
        }, cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
