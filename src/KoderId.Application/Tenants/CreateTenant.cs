using KoderId.Application.Common;
using KoderId.Domain.Tenants;
using Mediator;

namespace KoderId.Application.Tenants;

public sealed record CreateTenant(string TenantId, string Name) : ICommand<CommandResult>;

public sealed class CreateTenantHandler(AggregateStore aggregates) : ICommandHandler<CreateTenant, CommandResult>
{
    public async ValueTask<CommandResult> Handle(CreateTenant command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        Tenant.EnsureValidId(command.TenantId);
        return await aggregates.DecideAsync(command.TenantId, s => Tenant.Create(s, command.TenantId, command.Name), cancellationToken).ConfigureAwait(false);
    }
}
