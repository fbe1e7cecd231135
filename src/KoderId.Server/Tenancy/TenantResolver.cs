using KoderId.Domain;
using Tenant = KoderId.Domain.Tenants.Tenant;
using KoderId.Projections.Tenants;
using Microsoft.Extensions.Options;

namespace KoderId.Server.Tenancy;

/// <summary>
/// ARCHITECTURE.md §7: the Host (a subdomain of the base domain, then a verified custom domain), then
/// <c>X-Tenant-ID</c> for API clients, then the tenant of a tenant-bound API key, else <c>default</c>. Unknown is KID1002 (404), deleted KID1004 (404),
/// blocked KID1003 (403) where the caller needs an active tenant.
/// </summary>
public sealed class TenantResolver(TenantDirectory tenants, IOptions<TenancyOptions> options)
{
    public const string TenantHeader = "X-Tenant-ID";

    public async Task<TenantView> ResolveAsync(HttpContext http, bool requireActive, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        var context = http.RequestServices.GetRequiredService<TenantContext>();
        if (!context.IsResolved)
        {
            var tenantId = await FindTenantIdAsync(http.Request, ct).ConfigureAwait(false);
            context.Set(await LoadAsync(tenantId, ct).ConfigureAwait(false));
        }

        if (requireActive && context.Tenant.Status == TenantStatus.Blocked)
        {
            throw new DomainException(DomainErrors.TenantBlocked, "The tenant is blocked.");
        }

        return context.Tenant;
    }

    private async Task<string> FindTenantIdAsync(HttpRequest request, CancellationToken ct)
    {
        var byHost = await FindByHostAsync(request, ct).ConfigureAwait(false);
        if (byHost is not null)
        {
            return byHost;
        }

        var header = request.Headers[TenantHeader].ToString().Trim();
        if (header.Length > 0)
        {
            return header;
        }

        // The token: a tenant-bound API key works in its own tenant without a header. This needs authentication
        // to have run first (UseAuthentication precedes every caller: authorization handlers, endpoint filters).
        // A system key's tenant claim only says where the key is kept, so it does not choose the tenant.
        var user = request.HttpContext.User;
        if (user.Identity?.IsAuthenticated == true
            && !user.HasClaim(Auth.AuthSetup.SystemClaim, "true")
            && user.FindFirst(Auth.AuthSetup.TenantClaim)?.Value is { Length: > 0 } claimed)
        {
            return claimed;
        }

        return Tenant.DefaultTenantId;
    }

    /// <summary>
    /// The tenant the Host names: <c>default</c> for the bare base domain, <c>{tenant}</c> for <c>{tenant}.{base}</c>
    /// (<c>""</c>, no tenant, for deeper names), a verified custom domain's tenant; null when the Host names none.
    /// </summary>
    internal async Task<string?> FindByHostAsync(HttpRequest request, CancellationToken ct)
    {
        var host = request.Host.Host.TrimEnd('.').ToLowerInvariant();
        var baseDomain = options.Value.BaseDomain?.Trim().TrimEnd('.').ToLowerInvariant();
        if (!string.IsNullOrEmpty(baseDomain) && host.Length > 0)
        {
            if (host == baseDomain)
            {
                return Tenant.DefaultTenantId;
            }

            if (host.EndsWith("." + baseDomain, StringComparison.Ordinal))
            {
                // Only one label: a.b.{base} is no tenant's host name.
                var label = host[..^(baseDomain.Length + 1)];
                return label.Contains('.', StringComparison.Ordinal) ? "" : label;
            }
        }

        if (host.Length > 0 && host.Contains('.', StringComparison.Ordinal))
        {
            return await tenants.FindByDomainAsync(host, ct).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>The tenant named by the Host alone (ADR 0004), <c>default</c> when it names none; cached like <see cref="ResolveAsync"/>.</summary>
    internal async Task<TenantView> ResolveByHostAsync(HttpContext http, bool requireActive, CancellationToken ct)
    {
        var context = http.RequestServices.GetRequiredService<TenantContext>();
        if (!context.IsResolved)
        {
            var tenantId = await FindByHostAsync(http.Request, ct).ConfigureAwait(false) ?? Tenant.DefaultTenantId;
            context.Set(await LoadAsync(tenantId, ct).ConfigureAwait(false));
        }

        if (requireActive && context.Tenant.Status == TenantStatus.Blocked)
        {
            throw new DomainException(DomainErrors.TenantBlocked, "The tenant is blocked.");
        }

        return context.Tenant;
    }

    private async Task<TenantView> LoadAsync(string tenantId, CancellationToken ct)
    {
        var tenant = Tenant.IsValidId(tenantId) ? await tenants.GetCachedAsync(tenantId, ct).ConfigureAwait(false) : null;
        if (tenant is null)
        {
            throw new DomainException(DomainErrors.TenantNotFound, "The tenant does not exist.");
        }

        if (tenant.Status == TenantStatus.Deleted)
        {
            throw new DomainException(DomainErrors.TenantDeleted, "The tenant is deleted.");
        }

        return tenant;
    }
}

public static class TenancySetup
{
    public static IServiceCollection AddKoderIdTenancy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TenancyOptions>().Bind(configuration.GetSection(TenancyOptions.Section));
        services.AddScoped<TenantContext>();
        services.AddSingleton<TenantResolver>();
        return services;
    }

    /// <summary>Resolves the request's tenant before the endpoint runs; with <paramref name="requireActive"/> a blocked tenant is refused.</summary>
    public static RouteGroupBuilder RequireTenant(this RouteGroupBuilder group, bool requireActive)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.AddEndpointFilter(async (invocation, next) =>
        {
            var http = invocation.HttpContext;
            await http.RequestServices.GetRequiredService<TenantResolver>().ResolveAsync(http, requireActive, http.RequestAborted).ConfigureAwait(false);
            return await next(invocation).ConfigureAwait(false);
        });
        return group;
    }
}
