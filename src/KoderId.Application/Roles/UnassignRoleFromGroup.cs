using KoderId.Application.Common;
using KoderId.Domain.Roles;
using Mediator;

namespace KoderId.Application.Roles;

/// <summary>Also for a group since deleted.</summary>
public sealed record UnassignRoleFromGroup(string TenantId, string RoleId, string GroupId) : ICommand<CommandResult>;

public sealed class UnassignRoleFromGroupHandler(AggregateStore aggregates) : ICommandHandler<UnassignRoleFromGroup, CommandResult>
{
    public async ValueTask<CommandResult> Handle(UnassignRoleFromGroup command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideRoleAsync(command.TenantId, command.RoleId, s => Role.UnassignFromGroup(s, command.GroupId), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.RoleId);
    }
}
