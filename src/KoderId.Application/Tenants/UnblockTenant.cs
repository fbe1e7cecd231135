using KoderId.Application.Common;
using KoderId.Domain.Tenants;
using Mediator;

namespace KoderId.Application.Tenants;

/// <summary>Lifts a block; unblocking an active tenant changes nothing.</summary>
public sealed record UnblockTenant(string TenantId) : ICommand<CommandResult>;

public sealed class UnblockTenantHandler(AggregateStore aggregates) : ICommandHandler<UnblockTenant, CommandResult>
{
    public async ValueTask<CommandResult> Handle(UnblockTenant command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await aggregates.DecideAsync(command.TenantId, s => Tenant.Unblock(s), cancellationToken).ConfigureAwait(false);
    }
}
