using KoderId.Application.Common;
using KoderId.Domain.Roles;
using Mediator;

namespace KoderId.Application.Roles;

/// <summary>Releases the name and drops every assignment of the role.</summary>
public sealed record DeleteRole(string TenantId, string RoleId) : ICommand<CommandResult>;

public sealed class DeleteRoleHandler(AggregateStore aggregates) : ICommandHandler<DeleteRole, CommandResult>
{
    public async ValueTask<CommandResult> Handle(DeleteRole command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideRoleAsync(command.TenantId, command.RoleId, Role.Delete, cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.RoleId);
    }
}
