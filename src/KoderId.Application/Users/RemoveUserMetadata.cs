using KoderId.Application.Common;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>Removes one metadata entry; KID1027 when the user has none under the key.</summary>
public sealed record RemoveUserMetadata(string TenantId, string UserId, string Key) : ICommand<CommandResult>;

public sealed class RemoveUserMetadataHandler(AggregateStore aggregates) : ICommandHandler<RemoveUserMetadata, CommandResult>
{
    public async ValueTask<CommandResult> Handle(RemoveUserMetadata command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s => User.RemoveMetadata(s, command.Key), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
