using KoderId.Application.Common;
using KoderId.Domain.Tenants;
using Mediator;

namespace KoderId.Application.Tenants;

/// <summary>Bootstrap: the <c>default</c> tenant (the bare host) exists after this; running it again changes nothing.</summary>
public sealed record EnsureDefaultTenant(string Name = "Default") : ICommand<CommandResult>;

public sealed class EnsureDefaultTenantHandler(AggregateStore aggregates) : ICommandHandler<EnsureDefaultTenant, CommandResult>
{
    public async ValueTask<CommandResult> Handle(EnsureDefaultTenant command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await aggregates.DecideAsync(
            Tenant.DefaultTenantId,
            s => s.Exists ? [] : Tenant.Create(s, Tenant.DefaultTenantId, command.Name, bootstrap: true),
            cancellationToken).ConfigureAwait(false);
    }
}
