using KoderId.Application.Common;
using KoderId.Domain.Groups;
using Mediator;

namespace KoderId.Application.Groups;

/// <summary>Releases the name; members lose the roles they had through the group.</summary>
public sealed record DeleteGroup(string TenantId, string GroupId) : ICommand<CommandResult>;

public sealed class DeleteGroupHandler(AggregateStore aggregates) : ICommandHandler<DeleteGroup, CommandResult>
{
    public async ValueTask<CommandResult> Handle(DeleteGroup command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideGroupAsync(command.TenantId, command.GroupId, Group.Delete, cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.GroupId);
    }
}
