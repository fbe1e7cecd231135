using KoderId.Application.Common;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>An administrator lifts a user's lock (<c>user.unlocked.v1</c>); unlocking a user who is not locked changes nothing.</summary>
public sealed record UnlockUser(string TenantId, string UserId) : ICommand<CommandResult>;

public sealed class UnlockUserHandler(AggregateStore aggregates, Flows.FlowGuard guard, IClock clock) : ICommandHandler<UnlockUser, CommandResult>
{
    public async ValueTask<CommandResult> Handle(UnlockUser command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s => User.Unlock(s, clock.UtcNow), cancellationToken).ConfigureAwait(false);

        // The failures that led to the lock are forgiven with it.
        await guard.ForgetUserFailuresAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
