using KoderId.Projections.ApiKeys;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace KoderId.Server.Auth;

/// <summary>Authentication (bearer keys) and the authorization policies the API groups require.</summary>
public static class AuthSetup
{
    public const string SystemAdminPolicy = "SystemAdmin";
    public const string SystemAdminRole = "system-admin";
    public const string SystemAdminActor = "system-admin";
    public const string ActorClaim = "koderid:actor";

    /// <summary>The tenant an API key belongs to (a system key's is <c>default</c>, where it is kept).</summary>
    public const string TenantClaim = "koderid:tenant";

    /// <summary>One claim per scope of an API key.</summary>
    public const string ScopeClaim = "koderid:scope";

    /// <summary><c>true</c> on a system API key: its scopes hold in every tenant.</summary>
    public const string SystemClaim = "koderid:system";

    public static IServiceCollection AddKoderIdAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => BootstrapAdminKey.From(configuration));
        services.AddSingleton<ApiKeyUsage>();
        services.AddSingleton<ApiKeyDirectory>();
        services.AddSingleton<IAuthorizationHandler, TenantScopeHandler>();
        services.AddSingleton<IAuthorizationHandler, RouteTenantAdminHandler>();
        services.AddAuthentication(BearerKeyHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerKeyHandler>(BearerKeyHandler.SchemeName, _ => { });
        services.AddAuthorizationBuilder()
            .AddPolicy(SystemAdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(SystemAdminRole));
        return services;
    }

    /// <summary>The system admin or an <c>admin</c> key of the tenant the route's <c>{id}</c> names (else KID1002).</summary>
    public static AuthorizationPolicy RouteTenantAdmin() =>
        new AuthorizationPolicyBuilder(BearerKeyHandler.SchemeName)
            .RequireAuthenticatedUser()
            .AddRequirements(new RouteTenantAdminRequirement())
            .Build();

    /// <summary>
    /// The system admin, or an API key with <paramref name="scope"/> (or <c>admin</c>) for the request's tenant.
    /// A key of another tenant gets <paramref name="notFoundCode"/> on a route with an <c>{id}</c> (as if the
    /// resource did not exist) and 403 KID2002 elsewhere.
    /// </summary>
    public static AuthorizationPolicy TenantScope(string scope, string? notFoundCode = null, string? notFoundMessage = null) =>
        new AuthorizationPolicyBuilder(BearerKeyHandler.SchemeName)
            .RequireAuthenticatedUser()
            .AddRequirements(new TenantScopeRequirement(scope, notFoundCode, notFoundMessage ?? "The resource does not exist."))
            .Build();
}
