using KoderId.Application.Common;
using KoderId.Domain;
using Mediator;

namespace KoderId.Application.Grants;

/// <summary>Ends a family by its id (logout, admin, security). Allowed in a blocked tenant; revoking twice appends nothing.</summary>
public sealed record RevokeRefreshFamily(string TenantId, string FamilyId, string Reason) : ICommand<CommandResult>;

public sealed class RevokeRefreshFamilyHandler(AggregateStore aggregates) : ICommandHandler<RevokeRefreshFamily, CommandResult>
{
    public async ValueTask<CommandResult> Handle(RevokeRefreshFamily command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.LoadTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        if (!GrantSecrets.IsId(command.FamilyId))
        {
            throw new DomainException(DomainErrors.RefreshNotFound, "The refresh token is not valid.");
        }

        var decided = await GrantWrites.RevokeFamilyAsync(aggregates, command.TenantId, command.FamilyId, command.Reason, cancellationToken).ConfigureAwait(false);
        return new CommandResult(command.FamilyId, decided.Version, decided.Changed);
    }
}
