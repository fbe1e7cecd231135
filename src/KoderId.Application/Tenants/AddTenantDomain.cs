using KoderId.Application.Common;
using KoderId.Domain.Tenants;
using Mediator;

namespace KoderId.Application.Tenants;

/// <summary>Adds a host name: the tenant's own subdomain of the base domain is verified at once, a custom domain starts unverified.</summary>
public sealed record AddTenantDomain(string TenantId, string Domain, bool Primary = false) : ICommand<CommandResult>;

public sealed class AddTenantDomainHandler(AggregateStore aggregates, TenantDomainSettings settings) : ICommandHandler<AddTenantDomain, CommandResult>
{
    public async ValueTask<CommandResult> Handle(AddTenantDomain command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await aggregates.DecideAsync(
            command.TenantId,
            s => Tenant.AddDomain(s, command.Domain, command.Primary, settings.BaseDomain),
            cancellationToken).ConfigureAwait(false);
    }
}
