using KoderId.Application.Common;
using KoderId.Application.Users;
using KoderId.Domain.Groups;
using Mediator;

namespace KoderId.Application.Groups;

/// <summary>The user must exist in the tenant and be neither deleted nor erased (KID1011-KID1013).</summary>
public sealed record AddGroupMember(string TenantId, string GroupId, string UserId) : ICommand<CommandResult>;

public sealed class AddGroupMemberHandler(AggregateStore aggregates) : ICommandHandler<AddGroupMember, CommandResult>
{
    public async ValueTask<CommandResult> Handle(AddGroupMember command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireLiveUserAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        var decided = await aggregates.DecideGroupAsync(command.TenantId, command.GroupId, s => Group.AddMember(s, command.UserId), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.GroupId);
    }
}
