using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Roles;
using Mediator;

namespace KoderId.Application.Roles;

/// <param name="RoleId">Only for imports that keep their ids; otherwise a time-ordered id is generated.</param>
public sealed record CreateRole(string TenantId, string Name, string? RoleId = null) : ICommand<CommandResult>;

/// <summary>The name is claimed in the same append as <c>role.created.v1</c>: of two racing creations of one name exactly one wins.</summary>
public sealed class CreateRoleHandler(AggregateStore aggregates) : ICommandHandler<CreateRole, CommandResult>
{
    public async ValueTask<CommandResult> Handle(CreateRole command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var id = command.RoleId ?? Guid.CreateVersion7().ToString("N");
        if (!Names.IsValidId(id))
        {
            // Checked before the stream name is built, so a bad id is the invalid-id code rather than not-found.
            Role.Create(RoleState.Initial, id, command.Name);
        }

        try
        {
            var decided = await aggregates.DecideRoleAsync(command.TenantId, id, s => Role.Create(s, id, command.Name), cancellationToken).ConfigureAwait(false);
            return decided.ToResult(id);
        }
        catch (DomainException ex) when (ex.Code == DomainErrors.RoleNotFound)
        {
            // The stream name is held by another tenant's stream (see StreamNames): the id cannot be used here.
            throw new DomainException(DomainErrors.RoleIdTaken, "A role with this id already exists.");
        }
    }
}
