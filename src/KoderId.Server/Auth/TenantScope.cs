using KoderId.Domain;
using KoderId.Domain.ApiKeys;
using KoderId.Server.Tenancy;
using Microsoft.AspNetCore.Authorization;

namespace KoderId.Server.Auth;

/// <param name="NotFoundCode">The resource's not-found code, answered to a key of another tenant on an item route.</param>
public sealed record TenantScopeRequirement(string Scope, string? NotFoundCode, string NotFoundMessage) : IAuthorizationRequirement;

/// <summary>
/// The system admin passes. An API key passes when it holds the scope (or <c>admin</c>) and is of the request's
/// tenant (or a system key). A key of another tenant never learns whether that tenant or resource exists: an
/// unknown or deleted tenant is treated exactly like another tenant, and an item route answers the resource's
/// not-found, the same as for an id that does not exist.
/// </summary>
internal sealed class TenantScopeHandler(TenantResolver resolver) : AuthorizationHandler<TenantScopeRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, TenantScopeRequirement requirement)
    {
        if (context.User.IsInRole(AuthSetup.SystemAdminRole))
        {
            context.Succeed(requirement);
            return;
        }

        var scopes = context.User.FindAll(AuthSetup.ScopeClaim).Select(c => c.Value).ToArray();
        if (scopes.Length == 0 || context.Resource is not HttpContext http)
        {
            return;
        }

        if (!context.User.HasClaim(AuthSetup.SystemClaim, "true"))
        {
            string? requested;
            try
            {
                requested = (await resolver.ResolveAsync(http, requireActive: false, http.RequestAborted).ConfigureAwait(false)).TenantId;
            }
            catch (DomainException ex) when (ex.Code is DomainErrors.TenantNotFound or DomainErrors.TenantDeleted)
            {
                requested = null;
            }

            if (!string.Equals(requested, context.User.FindFirst(AuthSetup.TenantClaim)?.Value, StringComparison.Ordinal))
            {
                if (requirement.NotFoundCode is { } code && http.Request.RouteValues.ContainsKey("id"))
                {
                    throw new DomainException(code, requirement.NotFoundMessage);
                }

                return;
            }
        }

        if (ApiKeyScopes.Grants(scopes, requirement.Scope))
        {
            context.Succeed(requirement);
        }
    }
}

/// <summary>The route's <c>{id}</c> is a tenant, and the caller must administer that tenant.</summary>
public sealed record RouteTenantAdminRequirement : IAuthorizationRequirement;

/// <summary>
/// The system admin, a system key with <c>admin</c>, or an <c>admin</c> key of the tenant the route names.
/// Any other tenant's key gets KID1002 (404), so it cannot tell another tenant from none; a key of the tenant
/// without <c>admin</c> gets 403 KID2002.
/// </summary>
internal sealed class RouteTenantAdminHandler : AuthorizationHandler<RouteTenantAdminRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RouteTenantAdminRequirement requirement)
    {
        if (context.User.IsInRole(AuthSetup.SystemAdminRole))
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }

        var scopes = context.User.FindAll(AuthSetup.ScopeClaim).Select(c => c.Value).ToArray();
        if (scopes.Length == 0 || context.Resource is not HttpContext http)
        {
            return Task.CompletedTask;
        }

        if (!context.User.HasClaim(AuthSetup.SystemClaim, "true"))
        {
            var routeTenant = http.Request.RouteValues.TryGetValue("id", out var id) ? id as string : null;
            if (!string.Equals(routeTenant, context.User.FindFirst(AuthSetup.TenantClaim)?.Value, StringComparison.Ordinal))
            {
                throw new DomainException(DomainErrors.TenantNotFound, "The tenant does not exist.");
            }
        }

        if (ApiKeyScopes.Grants(scopes, ApiKeyScopes.Admin))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
