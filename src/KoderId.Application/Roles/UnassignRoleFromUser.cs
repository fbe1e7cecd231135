using KoderId.Application.Common;
using KoderId.Domain.Roles;
using Mediator;

namespace KoderId.Application.Roles;

/// <summary>Also for a user since deleted or erased.</summary>
public sealed record UnassignRoleFromUser(string TenantId, string RoleId, string UserId) : ICommand<CommandResult>;

public sealed class UnassignRoleFromUserHandler(AggregateStore aggregates) : ICommandHandler<UnassignRoleFromUser, CommandResult>
{
    public async ValueTask<CommandResult> Handle(UnassignRoleFromUser command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideRoleAsync(command.TenantId, command.RoleId, s => Role.UnassignFromUser(s, command.UserId), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.RoleId);
    }
}
