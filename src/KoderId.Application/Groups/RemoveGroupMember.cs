using KoderId.Application.Common;
using KoderId.Domain.Groups;
using Mediator;

namespace KoderId.Application.Groups;

/// <summary>Also for a user since deleted or erased, so memberships can be cleaned up.</summary>
public sealed record RemoveGroupMember(string TenantId, string GroupId, string UserId) : ICommand<CommandResult>;

public sealed class RemoveGroupMemberHandler(AggregateStore aggregates) : ICommandHandler<RemoveGroupMember, CommandResult>
{
    public async ValueTask<CommandResult> Handle(RemoveGroupMember command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideGroupAsync(command.TenantId, command.GroupId, s => Group.RemoveMember(s, command.UserId), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.GroupId);
    }
}
