using KoderId.Application.Common;
using KoderId.Application.Users;
using KoderId.Domain.Roles;
using Mediator;

namespace KoderId.Application.Roles;

/// <summary>The user must exist in the tenant and be neither deleted nor erased (KID1011-KID1013).</summary>
public sealed record AssignRoleToUser(string TenantId, string RoleId, string UserId) : ICommand<CommandResult>;

public sealed class AssignRoleToUserHandler(AggregateStore aggregates) : ICommandHandler<AssignRoleToUser, CommandResult>
{
    public async ValueTask<CommandResult> Handle(AssignRoleToUser command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireLiveUserAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        var decided = await aggregates.DecideRoleAsync(command.TenantId, command.RoleId, s => Role.AssignToUser(s, command.UserId), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.RoleId);
    }
}
