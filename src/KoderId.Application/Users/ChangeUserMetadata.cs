using KoderId.Application.Common;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>
/// Sets and removes metadata entries of a user in one append (a null value removes its key); entries already as
/// asked append nothing. The values are personal data: they are encrypted with the user's key and erased with it.
/// </summary>
public sealed record ChangeUserMetadata(string TenantId, string UserId, IReadOnlyList<KeyValuePair<string, byte[]?>> Changes) : ICommand<CommandResult>
{
    // Values are personal data: a record dump in a log line shows the keys only.
    public override string ToString() =>
        $"ChangeUserMetadata {{ TenantId = {TenantId}, UserId = {UserId}, Keys = [{string.Join(", ", Changes.Select(c => c.Key))}] }}";
}

public sealed class ChangeUserMetadataHandler(AggregateStore aggregates) : ICommandHandler<ChangeUserMetadata, CommandResult>
{
    public async ValueTask<CommandResult> Handle(ChangeUserMetadata command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s => User.ChangeMetadata(s, command.Changes), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
