using KoderId.Application.Common;
using KoderId.Domain.Tenants;
using Mediator;

namespace KoderId.Application.Tenants;

/// <summary>Stops sign-in, token issuance and user writes in the tenant until it is unblocked.</summary>
public sealed record BlockTenant(string TenantId, string Reason) : ICommand<CommandResult>;

public sealed class BlockTenantHandler(AggregateStore aggregates) : ICommandHandler<BlockTenant, CommandResult>
{
    public async ValueTask<CommandResult> Handle(BlockTenant command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await aggregates.DecideAsync(command.TenantId, s => Tenant.Block(s, command.Reason), cancellationToken).ConfigureAwait(false);
    }
}
