using KoderId.Application.Common;
using KoderId.Application.Users;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Credentials.Commands;

/// <summary>
/// An administrator sets a user's first password or resets it (<c>user.password-set.v1</c> with reason
/// <c>initial</c> or <c>admin-reset</c>). <paramref name="ChangeRequired"/> makes the user choose a new one at
/// the next sign-in.
/// </summary>
public sealed record SetPassword(string TenantId, string UserId, string Password, bool ChangeRequired = false) : ICommand<CommandResult>
{
    // A record prints every member: keep the password out of any log line that dumps the command.
    public override string ToString() => $"SetPassword {{ TenantId = {TenantId}, UserId = {UserId}, Password = [redacted], ChangeRequired = {ChangeRequired} }}";
}

/// <summary>Checks the policy (against the user's username and email), hashes at the tenant's cost, then appends.</summary>
public sealed class SetPasswordHandler(AggregateStore aggregates, PasswordHashingService hashing, ICredentialPolicies policies)
    : ICommandHandler<SetPassword, CommandResult>
{
    public async ValueTask<CommandResult> Handle(SetPassword command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var policy = await policies.GetAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        var user = await aggregates.LoadUserAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);

        // Refuse a deleted or erased user before spending a hash on it.
        User.EnsurePasswordCanBeSet(user);
        CredentialChecks.EnsureMeetsPolicy(command.Password, policy.Password, user);

        var hash = await hashing.HashAsync(command.Password, policy.Hashing, cancellationToken).ConfigureAwait(false);
        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s =>
        {
            // The email may have changed since the check above; the rules are cheap, the hash is not redone.
            CredentialChecks.EnsureMeetsPolicy(command.Password, policy.Password, s);
            return User.SetPassword(s, hash, command.ChangeRequired);
        }, cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
