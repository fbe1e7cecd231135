using KoderId.Application.Common;
using KoderId.Application.Groups;
using KoderId.Domain.Roles;
using Mediator;

namespace KoderId.Application.Roles;

/// <summary>The group must exist in the tenant and not be deleted (KID1040, KID1043).</summary>
public sealed record AssignRoleToGroup(string TenantId, string RoleId, string GroupId) : ICommand<CommandResult>;

public sealed class AssignRoleToGroupHandler(AggregateStore aggregates) : ICommandHandler<AssignRoleToGroup, CommandResult>
{
    public async ValueTask<CommandResult> Handle(AssignRoleToGroup command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireLiveGroupAsync(command.TenantId, command.GroupId, cancellationToken).ConfigureAwait(false);
        var decided = await aggregates.DecideRoleAsync(command.TenantId, command.RoleId, s => Role.AssignToGroup(s, command.GroupId), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.RoleId);
    }
}
