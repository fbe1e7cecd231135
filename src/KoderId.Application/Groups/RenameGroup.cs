using KoderId.Application.Common;
using KoderId.Domain.Groups;
using Mediator;

namespace KoderId.Application.Groups;

/// <summary>A new name, claimed atomically; renaming to the current name changes nothing.</summary>
public sealed record RenameGroup(string TenantId, string GroupId, string Name) : ICommand<CommandResult>;

public sealed class RenameGroupHandler(AggregateStore aggregates) : ICommandHandler<RenameGroup, CommandResult>
{
    public async ValueTask<CommandResult> Handle(RenameGroup command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideGroupAsync(command.TenantId, command.GroupId, s => Group.Rename(s, command.Name), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.GroupId);
    }
}
