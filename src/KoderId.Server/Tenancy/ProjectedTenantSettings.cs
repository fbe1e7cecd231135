using KoderId.Application.Tenants;
using KoderId.Events.Tenants;
using KoderId.Projections.Tenants;

namespace KoderId.Server.Tenancy;

/// <summary>The application's port onto the tenants read model (cached in <see cref="TenantSettingsDirectory"/>).</summary>
internal sealed class ProjectedTenantSettings(TenantSettingsDirectory directory) : ITenantSettingsProvider
{
    public ValueTask<TenantSettings> GetAsync(string tenantId, CancellationToken ct = default) => directory.GetAsync(tenantId, ct);
}
