using KoderId.Application.Common;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>Undoes a soft delete, claiming the username and email again (KID1010 / KID1017 if someone took them meanwhile).</summary>
public sealed record RestoreUser(string TenantId, string UserId) : ICommand<CommandResult>;

public sealed class RestoreUserHandler(AggregateStore aggregates) : ICommandHandler<RestoreUser, CommandResult>
{
    public async ValueTask<CommandResult> Handle(RestoreUser command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s => User.Restore(s), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
