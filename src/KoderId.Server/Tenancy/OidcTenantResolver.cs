using KoderId.Domain.Tenants;
using KoderId.Oidc.Common;
using KoderId.Projections.Tenants;
using Microsoft.Extensions.Options;

namespace KoderId.Server.Tenancy;

/// <summary>
/// The protocol endpoints' tenant and issuer (ADR 0004): the tenant from the Host alone; the issuer is the
/// configured public origin for the bare host (or the request's origin when none is configured, for
/// development) and <c>{scheme}://{host}</c> for a tenant host, which the tenant directory has vouched for.
/// </summary>
internal sealed class OidcTenantResolver(TenantResolver resolver, IOptions<OidcOptions> options) : IOidcTenantResolver
{
    public async ValueTask<OidcTenant> ResolveAsync(HttpContext http, bool requireActive, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        var tenant = await resolver.ResolveByHostAsync(http, requireActive, ct).ConfigureAwait(false);
        return new OidcTenant(tenant, IssuerFor(http.Request, tenant));
    }

    private string IssuerFor(HttpRequest request, TenantView tenant)
    {
        var configured = options.Value.PublicOrigin?.Trim().TrimEnd('/');
        if (!string.IsNullOrEmpty(configured))
        {
            if (tenant.TenantId == Tenant.DefaultTenantId)
            {
                return configured;
            }

            var scheme = new Uri(configured).Scheme;
            return $"{scheme}://{request.Host.Value}";
        }

        return $"{request.Scheme}://{request.Host.Value}";
    }
}
