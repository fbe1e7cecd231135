using KoderId.Application.Common;
using KoderId.Domain.Tenants;
using KoderId.Events.Tenants;
using Mediator;

namespace KoderId.Application.Tenants;

/// <summary>Replaces the tenant's whole settings record (the REST merge patch is applied before this).</summary>
public sealed record ChangeTenantSettings(string TenantId, TenantSettings Settings) : ICommand<CommandResult>;

public sealed class ChangeTenantSettingsHandler(AggregateStore aggregates) : ICommandHandler<ChangeTenantSettings, CommandResult>
{
    public async ValueTask<CommandResult> Handle(ChangeTenantSettings command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await aggregates.DecideAsync(command.TenantId, s => Tenant.ChangeSettings(s, command.Settings), cancellationToken).ConfigureAwait(false);
    }
}
