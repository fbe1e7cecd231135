using System.Text.Json;
using KoderId.Oidc.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace KoderId.Oidc.Discovery;

/// <summary>
/// <c>/.well-known/openid-configuration</c> and RFC 8414's <c>/.well-known/oauth-authorization-server</c>, both the
/// same document of the tenant the Host names. Reads only (the tenant is resolved from the tenant cache).
/// </summary>
public static class DiscoveryEndpoint
{
    public const string CacheControl = "public, max-age=300";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapDiscoveryEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(OidcPaths.Discovery, HandleAsync).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet(OidcPaths.AuthorizationServerMetadata, HandleAsync).AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext http, IOidcTenantResolver tenants)
    {
        var tenant = await tenants.ResolveAsync(http, requireActive: false, http.RequestAborted).ConfigureAwait(false);
        http.Response.Headers.CacheControl = CacheControl;
        await http.Response.WriteAsJsonAsync(DiscoveryDocument.For(tenant), Json, "application/json", http.RequestAborted).ConfigureAwait(false);
    }
}
