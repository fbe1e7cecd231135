using KoderId.Application.Common;
using KoderId.Domain.Passkeys;
using Mediator;

namespace KoderId.Application.Passkeys;

public sealed record RenamePasskey(string TenantId, string UserId, string CredentialId, string? Name) : ICommand<CommandResult>;

/// <summary>Renames one of the user's passkeys; another user's credential id is the same 404 (KID1340) as an unknown one.</summary>
public sealed class RenamePasskeyHandler(AggregateStore aggregates) : ICommandHandler<RenamePasskey, CommandResult>
{
    public async ValueTask<CommandResult> Handle(RenamePasskey command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireActiveTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        var decided = await aggregates.DecideAsync(
            Aggregates.Passkeys,
            command.TenantId,
            StreamNames.Passkeys(command.TenantId, command.UserId),
            s => Passkey.Rename(s, command.CredentialId, command.Name),
            cancellationToken).ConfigureAwait(false);
        return new CommandResult(command.CredentialId, decided.Version, decided.Changed);
    }
}
