using Microsoft.AspNetCore.Authentication;

namespace KoderId.Server.Auth;

/// <summary>Authentication (bearer keys) and the authorization policies the API groups require.</summary>
public static class AuthSetup
{
    public const string SystemAdminPolicy = "SystemAdmin";
    public const string SystemAdminRole = "system-admin";
    public const string SystemAdminActor = "system-admin";
    public const string ActorClaim = "koderid:actor";

    public static IServiceCollection AddKoderIdAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => BootstrapAdminKey.From(configuration));
        services.AddAuthentication(BearerKeyHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerKeyHandler>(BearerKeyHandler.SchemeName, _ => { });
        services.AddAuthorizationBuilder()
            .AddPolicy(SystemAdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(SystemAdminRole));
        return services;
    }
}
