using KoderId.Application.Common;
using KoderId.Domain.Tenants;
using Mediator;

namespace KoderId.Application.Tenants;

/// <summary>Changes the display name; the id (and so the issuer) never changes.</summary>
public sealed record RenameTenant(string TenantId, string Name) : ICommand<CommandResult>;

public sealed class RenameTenantHandler(AggregateStore aggregates) : ICommandHandler<RenameTenant, CommandResult>
{
    public async ValueTask<CommandResult> Handle(RenameTenant command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await aggregates.DecideAsync(command.TenantId, s => Tenant.Rename(s, command.Name), cancellationToken).ConfigureAwait(false);
    }
}
