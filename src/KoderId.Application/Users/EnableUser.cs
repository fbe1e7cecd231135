using KoderId.Application.Common;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>Sign-in again; enabling an enabled user changes nothing.</summary>
public sealed record EnableUser(string TenantId, string UserId) : ICommand<CommandResult>;

public sealed class EnableUserHandler(AggregateStore aggregates) : ICommandHandler<EnableUser, CommandResult>
{
    public async ValueTask<CommandResult> Handle(EnableUser command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s => User.Enable(s), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
