using KoderId.Application.Common;
using KoderId.Domain.Passkeys;
using Mediator;

namespace KoderId.Application.Passkeys;

/// <param name="Reason"><c>user</c> (self-service) or <c>admin</c>.</param>
public sealed record RemovePasskey(string TenantId, string UserId, string CredentialId, string Reason) : ICommand<CommandResult>;

/// <summary>
/// Removes a passkey; its credential id is released, so it stops signing in at once (the lookup model is inline).
/// Allowed in a blocked tenant: taking access away must always work.
/// </summary>
public sealed class RemovePasskeyHandler(AggregateStore aggregates) : ICommandHandler<RemovePasskey, CommandResult>
{
    public async ValueTask<CommandResult> Handle(RemovePasskey command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.LoadTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        var decided = await aggregates.DecideAsync(
            Aggregates.Passkeys,
            command.TenantId,
            StreamNames.Passkeys(command.TenantId, command.UserId),
            s => Passkey.Remove(s, command.CredentialId, command.Reason),
            cancellationToken).ConfigureAwait(false);
        return new CommandResult(command.CredentialId, decided.Version, decided.Changed);
    }
}
