using KoderId.Oidc.Common;
using KoderId.Oidc.Login;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace KoderId.Oidc.Authorize;

/// <summary><c>/oauth/v2/authorize</c> (GET and POST, OIDC Core §3.1.2.1) and the return from the login page.</summary>
public static class AuthorizeEndpoints
{
    public const string ContinuePath = OidcPaths.Authorize + "/continue";

    public static IEndpointRouteBuilder MapAuthorize(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(OidcPaths.Authorize, (HttpContext http) => AuthorizeAsync(http, ToDictionary(http.Request.Query)))
            .ExcludeFromDescription();
        endpoints.MapPost(OidcPaths.Authorize, async (HttpContext http) =>
        {
            if (!http.Request.HasFormContentType)
            {
                await Pages.ErrorAsync(http, StatusCodes.Status415UnsupportedMediaType, "The authorization request must be sent as a form.").ConfigureAwait(false);
                return;
            }

            var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
            await AuthorizeAsync(http, form.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)).ConfigureAwait(false);
        }).ExcludeFromDescription().DisableAntiforgery();
        endpoints.MapGet(ContinuePath, ContinueAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task AuthorizeAsync(HttpContext http, Dictionary<string, StringValues> parameters)
    {
        var services = http.RequestServices;
        var ct = http.RequestAborted;
        var tenant = await services.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: true, ct).ConfigureAwait(false);
        var (client, redirectUri, problem) = await AuthorizeRequestValidator
            .ValidateClientAsync(parameters, tenant.TenantId, services.GetRequiredService<IAuthorizeClients>(), ct).ConfigureAwait(false);
        if (problem is not null || client is null || redirectUri is null)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, problem ?? "The request cannot be trusted.").ConfigureAwait(false);
            return;
        }

        ValidatedAuthorizeRequest request;
        try
        {
            request = AuthorizeRequestValidator.Validate(parameters, tenant.TenantId, client, redirectUri, services.GetRequiredService<TimeProvider>().GetUtcNow());
        }
        catch (OAuthException error)
        {
            AuthorizeFlow.Redirect(http, tenant, redirectUri, AuthorizeRequestValidator.StateOf(parameters), error.Error, error.Description);
            return;
        }

        await services.GetRequiredService<AuthorizeFlow>().ContinueAsync(http, tenant, request, consentGiven: false, ct).ConfigureAwait(false);
    }

    private static async Task ContinueAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var ct = http.RequestAborted;
        var tenant = await services.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: true, ct).ConfigureAwait(false);
        var request = services.GetRequiredService<PendingAuthorization>().Unprotect(tenant.TenantId, http.Request.Query["ar"]);
        if (request is null)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "The sign-in request expired or is invalid.").ConfigureAwait(false);
            return;
        }

        await services.GetRequiredService<AuthorizeFlow>().ContinueAsync(http, tenant, request, consentGiven: false, ct).ConfigureAwait(false);
    }

    private static Dictionary<string, StringValues> ToDictionary(IQueryCollection query) =>
        query.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}
