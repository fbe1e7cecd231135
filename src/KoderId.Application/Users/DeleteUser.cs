using KoderId.Application.Common;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>Soft delete: the username and email are released; <see cref="RestoreUser"/> undoes it while they are still free.</summary>
public sealed record DeleteUser(string TenantId, string UserId) : ICommand<CommandResult>;

public sealed class DeleteUserHandler(AggregateStore aggregates) : ICommandHandler<DeleteUser, CommandResult>
{
    public async ValueTask<CommandResult> Handle(DeleteUser command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s => User.Delete(s), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
