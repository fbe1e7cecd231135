using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Groups;
using Mediator;

namespace KoderId.Application.Groups;

/// <param name="GroupId">Only for imports that keep their ids; otherwise a time-ordered id is generated.</param>
public sealed record CreateGroup(string TenantId, string Name, string? GroupId = null) : ICommand<CommandResult>;

/// <summary>The name is claimed in the same append as <c>group.created.v1</c>: of two racing creations of one name exactly one wins.</summary>
public sealed class CreateGroupHandler(AggregateStore aggregates) : ICommandHandler<CreateGroup, CommandResult>
{
    public async ValueTask<CommandResult> Handle(CreateGroup command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var id = command.GroupId ?? Guid.CreateVersion7().ToString("N");
        if (!Names.IsValidId(id))
        {
            // Checked before the stream name is built, so a bad id is the invalid-id code rather than not-found.
            Group.Create(GroupState.Initial, id, command.Name);
        }

        try
        {
            var decided = await aggregates.DecideGroupAsync(command.TenantId, id, s => Group.Create(s, id, command.Name), cancellationToken).ConfigureAwait(false);
            return decided.ToResult(id);
        }
        catch (DomainException ex) when (ex.Code == DomainErrors.GroupNotFound)
        {
            // The stream name is held by another tenant's stream (see StreamNames): the id cannot be used here.
            throw new DomainException(DomainErrors.GroupIdTaken, "A group with this id already exists.");
        }
    }
}
