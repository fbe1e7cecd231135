using KoderId.Application.Flows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KoderId.Application.Mfa;

public static class MfaServices
{
    /// <summary>The <c>totp</c> and <c>recovery-code</c> factors and the importer's port, scoped like the handlers they send to.</summary>
    public static IServiceCollection AddKoderIdMfa(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IAuthenticationFactor, TotpFactor>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IAuthenticationFactor, RecoveryCodeFactor>());
        services.TryAddScoped<ITotpSeedImport, TotpSeedImport>();
        return services;
    }
}
