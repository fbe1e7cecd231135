using KoderId.Oidc.Authorize;
using KoderId.Oidc.Common;
using KoderId.Oidc.Login;
using KoderId.Oidc.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using KoderId.Oidc.Clients;
using KoderId.Oidc.Registration;
using KoderId.Projections.Clients;
using KoderId.Oidc.Discovery;
using KoderId.Oidc.Keys;
using KoderId.Oidc.Token;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using KoderId.Oidc.EndSession;
using KoderId.Oidc.Introspection;
using KoderId.Oidc.Revocation;
using KoderId.Oidc.UserInfo;
using KoderId.Projections.Grants;
using KoderId.Projections.Sessions;
using KoderId.Projections.Users;

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
        services.TryAddSingleton(TimeProvider.System);
        Microsoft.AspNetCore.DataProtection.DataProtectionBuilderExtensions.SetApplicationName(services.AddDataProtection(), "KoderId");
        services.AddSingleton<DataProtectionKeyRepository>();
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<DataProtectionKeyRepository>((o, repository) => o.XmlRepository = repository);
        var secure = configuration[$"{OidcOptions.Section}:PublicOrigin"]?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) == true;
        services.AddAntiforgery(o =>
        {
            // __Host-: Secure, Path=/, no Domain — under https only (browsers drop a __Host- cookie sent over http).
            o.Cookie.Name = secure ? "__Host-koderid_csrf" : "koderid_csrf";
            o.Cookie.SecurePolicy = secure ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__csrf";
            o.SuppressXFrameOptionsHeader = true;
        });
        services.AddSingleton<PendingAuthorization>();
        services.AddScoped<AuthorizeFlow>();
        services.AddScoped<IPasswordLogin, PasswordLogin>();
        services.TryAddScoped<KoderId.Application.Flows.IFlowUsers, FlowUsers>();
        services.AddScoped<ISsoSessions, SsoSessions>();
        services.AddScoped<IAuthorizationCodeIssuer, AuthorizationCodeIssuer>();
        services.AddSingleton<IAuthorizeClients, AuthorizeClients>();
        services.AddSingleton(sp => new KoderId.Projections.Grants.ConsentDirectory(sp.GetRequiredService<KoderId.EventSourcing.Projections.IReadModelStore>()));
        services.AddScoped<IConsents, Consents>();

        // Clients/ and Registration/ (ADR 0004): the cached client lookup, client authentication, RFC 7591/7592.
        services.AddOptions<ClientRegistrationOptions>().Bind(configuration.GetSection(OidcOptions.Section));
        services.AddSingleton<ClientDirectory>(sp => new ClientDirectory(sp.GetRequiredService<KoderId.EventSourcing.Projections.IReadModelStore>()));
        services.AddSingleton<ClientAssertionJtis>();
        services.AddSingleton<ClientAuthenticator>();
        services.AddKoderIdKeys(configuration);
        services.AddSingleton<ISigningAlgorithmPolicy, TenantSigningAlgorithmPolicy>();

        // Token/: the token endpoint and what it mints.
        services.AddSingleton<ITokenLifetimePolicy, TenantTokenLifetimes>();
        services.AddSingleton<UserClaims>();
        services.AddSingleton<TokenIssuer>();

        // Introspection/, Revocation/, UserInfo/, EndSession/: the access-token check they share (Common/).
        services.TryAddSingleton<SessionDirectory>();
        services.TryAddSingleton<RefreshFamilyDirectory>();
        services.TryAddSingleton<RevokedAccessTokenDirectory>();
        services.TryAddSingleton<AccessTokenStateDirectory>();
        services.TryAddSingleton<UserDirectory>(sp => new UserDirectory(sp.GetRequiredService<KoderId.EventSourcing.Projections.IReadModelStore>()));
        services.AddSingleton<SignatureCache>();
        services.AddSingleton<AccessTokenValidator>();
        services.AddSingleton<IntrospectionResponseGenerator>();
        services.AddScoped<RevocationHandler>();
        services.AddSingleton<UserInfoResponseGenerator>();
        services.AddSingleton<EndSessionRequestValidator>();
        return services;
    }

    public static IEndpointRouteBuilder MapKoderIdOidc(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapAuthorize();
        endpoints.MapLoginPages();
        KoderId.Oidc.Mfa.MfaPages.MapMfaPages(endpoints);
        endpoints.MapClientRegistration();
        endpoints.MapDiscoveryEndpoints();
        endpoints.MapKeysEndpoint();
        endpoints.MapToken();
        endpoints.MapIntrospection();
        endpoints.MapRevocation();
        endpoints.MapUserInfo();
        endpoints.MapEndSession();
        return endpoints;
    }
}
