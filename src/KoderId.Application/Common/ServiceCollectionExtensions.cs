using KoderId.EventSourcing.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KoderId.Application.Common;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// The write side's services. The host registers the store (<c>IEventStore</c>, <c>ISubjectKeyStore</c>),
    /// an <see cref="EventSerializer"/> and <c>AddMediator()</c> (generated in the host), and fills the scoped
    /// <see cref="RequestContext"/> per request.
    /// </summary>
    public static IServiceCollection AddKoderIdApplication(this IServiceCollection services)
    {
        services.TryAddSingleton<IClock, SystemClock>();
        services.TryAddScoped<RequestContext>();
        services.TryAddScoped<AggregateStore>();
        services.TryAddSingleton(new Tenants.TenantDomainSettings());
        // Each tenant's settings when the host supplies them (the read side), the defaults otherwise.
        services.TryAddSingleton<Credentials.ICredentialPolicies>(sp => sp.GetService<Tenants.ITenantSettingsProvider>() is { } settings
            ? new Credentials.TenantCredentialPolicies(settings)
            : new Credentials.DefaultCredentialPolicies());
        services.TryAddSingleton(_ => Credentials.PasswordHashingGate.CreateDefault());
        services.TryAddSingleton(_ => Credentials.PasswordHashers.CreateDefault(Credentials.PasswordHashingPolicy.Default));
        services.TryAddSingleton<Credentials.PasswordHashingService>();
        Mfa.MfaServices.AddKoderIdMfa(services);

        // Flows/ (ADR 0006): the engine, its guard and the password step; other features add their factors the same way.
        services.TryAddSingleton(new Flows.FlowOptions());
        services.TryAddScoped<Flows.IUserLockouts, Flows.UserLockouts>();
        services.TryAddScoped<Flows.FlowGuard>();
        services.TryAddScoped<Flows.FlowEngine>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<Flows.IAuthenticationFactor, Flows.PasswordFactor>());
        return services;
    }
}
