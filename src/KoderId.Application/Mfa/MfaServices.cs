using KoderId.Application.Flows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KoderId.Application.Mfa;

public static class MfaServices
{
    /// <summary>The <c>totp</c>, <c>recovery-code</c> and <c>totp-enrolment</c> factors and the importer's port, scoped like the handlers they send to.</summary>
    public static IServiceCollection AddKoderIdMfa(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IAuthenticationFactor, TotpFactor>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IAuthenticationFactor, RecoveryCodeFactor>());

        // Enrolment during sign-in needs the host's IFlowSecrets (the server's key ring); a host without one offers no enrolment.
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IAuthenticationFactor, TotpEnrolmentFactor>());
        services.TryAddScoped<ITotpSeedImport, TotpSeedImport>();
        return services;
    }
}
