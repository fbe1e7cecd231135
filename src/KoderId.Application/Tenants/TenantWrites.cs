using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Tenants;

namespace KoderId.Application.Tenants;

/// <summary>The one path every tenant command takes: tenant-{id}, appended under the tenant itself.</summary>
internal static class TenantWrites
{
    public static async Task<CommandResult> DecideAsync(
        this AggregateStore aggregates,
        string tenantId,
        Func<TenantState, IReadOnlyList<object>> decide,
        CancellationToken ct)
    {
        if (!Tenant.IsValidId(tenantId))
        {
            throw new DomainException(DomainErrors.TenantNotFound, "The tenant does not exist.");
        }

        var decided = await aggregates.DecideAsync(Aggregates.Tenant, tenantId, StreamNames.Tenant(tenantId), decide, ct).ConfigureAwait(false);
        return new CommandResult(tenantId, decided.Version, decided.Changed);
    }
}

/// <summary>The platform's base domain: <c>{tenant}.{BaseDomain}</c> is each tenant's own, verified host name.</summary>
public sealed record TenantDomainSettings(string? BaseDomain = null);
