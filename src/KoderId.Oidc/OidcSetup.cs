using KoderId.Oidc.Common;
using KoderId.Oidc.Discovery;
using KoderId.Oidc.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc;

/// <summary>
/// Composition of the protocol surface. Each feature folder (Discovery, Keys, Clients, Authorize, Token, ...)
/// adds its services in <see cref="AddKoderIdOidc"/> and maps its endpoints in <see cref="MapKoderIdOidc"/>.
/// The host supplies <see cref="IOidcTenantResolver"/>.
/// </summary>
public static class OidcSetup
{
    public static IServiceCollection AddKoderIdOidc(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<OidcOptions>().Bind(configuration.GetSection(OidcOptions.Section));
        services.AddKoderIdKeys(configuration);
        return services;
    }

    public static IEndpointRouteBuilder MapKoderIdOidc(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapDiscoveryEndpoints();
        endpoints.MapKeysEndpoint();
        return endpoints;
    }
}
