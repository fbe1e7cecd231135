using KoderId.Application.Common;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>No more sign-in; disabling a disabled user changes nothing.</summary>
public sealed record DisableUser(string TenantId, string UserId, string? Reason = null) : ICommand<CommandResult>;

public sealed class DisableUserHandler(AggregateStore aggregates) : ICommandHandler<DisableUser, CommandResult>
{
    public async ValueTask<CommandResult> Handle(DisableUser command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s => User.Disable(s, command.Reason), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
