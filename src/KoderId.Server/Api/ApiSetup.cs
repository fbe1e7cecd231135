using KoderId.Application.Common;
using KoderId.Application.Tenants;
using KoderId.Oidc;
using KoderId.Oidc.Common;
using KoderId.Projections.Audit;
using KoderId.Projections.Groups;
using KoderId.Projections.Grants;
using KoderId.Projections.Roles;
using KoderId.Projections.Sessions;
using KoderId.Projections.Tenants;
using KoderId.Projections.Users;
using KoderId.Server.Auth;
using KoderId.Server.Email;
using KoderId.Server.Errors;
using KoderId.Server.Tenancy;
using Microsoft.Extensions.Options;

namespace KoderId.Server.Api;

/// <summary>The write side, its request context, tenancy, authentication and the REST groups, in one place.</summary>
public static class ApiSetup
{
    public static WebApplicationBuilder AddKoderIdApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        // Bodies over the API's limit never reach an endpoint on Kestrel (413, KID2005); ApiJson checks again for other hosts.
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = ApiErrors.MaxBodyBytes);

        services.AddKoderIdTenancy(builder.Configuration);
        services.AddSingleton(sp => new TenantDomainSettings(sp.GetRequiredService<IOptions<TenancyOptions>>().Value.BaseDomain));
        // Read when first used, so configuration added after this call (tests, later providers) counts.
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection(KoderId.Application.Flows.FlowOptions.Section).Get<KoderId.Application.Flows.FlowOptions>()
            ?? new KoderId.Application.Flows.FlowOptions());
        services.AddKoderIdApplication();
        services.AddMediator(o => o.ServiceLifetime = ServiceLifetime.Scoped);
        services.AddSingleton<TenantDirectory>();
        services.AddSingleton(sp => new TenantSettingsDirectory(sp.GetRequiredService<KoderId.EventSourcing.Projections.IReadModelStore>()));
        services.AddSingleton<ITenantSettingsProvider, ProjectedTenantSettings>();
        services.AddSingleton(sp => new UserDirectory(sp.GetRequiredService<KoderId.EventSourcing.Projections.IReadModelStore>()));
        services.AddSingleton<AuditLog>();

        // Per request: a replay caches the subject keys it reads, and an erasure must count from the next request on.
        services.AddTransient<KoderId.Application.Audit.AuditReplayer>();
        services.AddTransient<KoderId.Application.Audit.AccountHistory>();
        services.AddSingleton(sp => new AuditScanGate(
            sp.GetRequiredService<IConfiguration>().GetValue("KoderId:Audit:MaxConcurrentScans", AuditScanGate.DefaultSlots)));
        services.AddSingleton<GroupDirectory>();
        services.AddSingleton<RoleDirectory>();
        services.AddSingleton<SessionDirectory>();
        services.AddSingleton<RefreshFamilyDirectory>();
        services.AddSingleton<KoderId.Application.Sessions.IActiveSessions, KoderId.Server.Sessions.ActiveSessions>();
        services.AddKoderIdPasskeys();

        // Flows (ADR 0006): what a factor keeps in its flow in clear form for itself (an enrolment's TOTP secret) is sealed with the key ring.
        services.AddSingleton<KoderId.Application.Flows.IFlowSecrets, KoderId.Server.Flows.FlowSecrets>();

        // After the storage start-up (registration order is start order): the store is open and projections built.
        services.AddHostedService<DefaultTenantStartup>();

        services.AddKoderIdAuth(builder.Configuration);
        services.AddKoderIdOidc(builder.Configuration);
        services.AddSingleton<IOidcTenantResolver, OidcTenantResolver>();
        services.AddSingleton<KoderId.Oidc.Registration.IRegistrationAuthorizer, RegistrationAuthorizer>();
        services.AddSingleton<KoderId.Migration.Zitadel.Import.ZitadelImporter>();
        services.AddKoderIdEmail(builder.Configuration);
        services.AddKoderIdJson();
        services.AddOpenApi();
        return builder;
    }

    public static WebApplication UseKoderIdApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseKoderIdRequestContext();
        return app;
    }

    public static WebApplication MapKoderIdApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi().AllowAnonymous();
        app.MapTenantsApi();
        app.MapTenantSettingsApi();
        app.MapUsersApi().MapUserMetadataApi();
        app.MapUserSessionsApi();
        app.MapMySessionsApi();
        app.MapPasskeysApi();
        KoderId.Server.Account.PasskeysPage.MapPasskeysPage(app);
        app.MapFlowsApi();
        app.MapCredentialsApi();
        app.MapMfaApi();
        app.MapGroupsApi();
        app.MapRolesApi();
        app.MapAuditApi();
        app.MapApiKeysApi();
        app.MapClientsApi();
        app.MapImportApi();
        app.MapKoderIdOidc();
        app.MapKoderIdEmail();
        return app;
    }
}
