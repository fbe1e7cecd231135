using KoderId.Projections.Tenants;

namespace KoderId.Server.Tenancy;

/// <summary>The tenant of the current request (scoped), resolved once by <see cref="TenantResolver"/>.</summary>
public sealed class TenantContext
{
    private TenantView? _tenant;

    public bool IsResolved => _tenant is not null;

    public TenantView Tenant => _tenant ?? throw new InvalidOperationException("The tenant of this request has not been resolved.");

    public string TenantId => Tenant.TenantId;

    internal void Set(TenantView tenant) => _tenant = tenant;
}
