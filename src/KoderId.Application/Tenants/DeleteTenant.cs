using KoderId.Application.Common;
using KoderId.Domain.Tenants;
using Mediator;

namespace KoderId.Application.Tenants;

/// <summary>Soft delete: the tenant stops resolving and refuses writes; its log stays.</summary>
public sealed record DeleteTenant(string TenantId) : ICommand<CommandResult>;

public sealed class DeleteTenantHandler(AggregateStore aggregates) : ICommandHandler<DeleteTenant, CommandResult>
{
    public async ValueTask<CommandResult> Handle(DeleteTenant command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await aggregates.DecideAsync(command.TenantId, s => Tenant.Delete(s), cancellationToken).ConfigureAwait(false);
    }
}
