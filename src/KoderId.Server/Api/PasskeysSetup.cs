using KoderId.Application.Flows;
using KoderId.Application.Passkeys;
using KoderId.EventSourcing.InMemory;
using KoderId.EventSourcing.Storage;
using KoderId.Projections.Passkeys;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KoderId.Server.Api;

/// <summary>The passkey services: the read model, its owner lookup and the <c>webauthn</c> flow step (ADR 0006).</summary>
public static class PasskeysSetup
{
    public static IServiceCollection AddKoderIdPasskeys(this IServiceCollection services)
    {
        services.AddSingleton(sp => new PasskeyDirectory(sp.GetRequiredService<KoderId.EventSourcing.Projections.IReadModelStore>()));
        services.AddSingleton<IPasskeyOwners, ProjectedPasskeyOwners>();

        // The storage set-up registers the shared transient store of the configured driver; a host without one
        // (tests, a single in-memory node) keeps challenges in memory.
        services.TryAddSingleton<ITransientStore>(_ => new InMemoryTransientStore());
        services.AddScoped<WebAuthnFactor>();
        services.AddScoped<IAuthenticationFactor>(sp => sp.GetRequiredService<WebAuthnFactor>());
        return services;
    }
}
