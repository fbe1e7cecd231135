using KoderId.Application.Flows;
using KoderId.Application.Passkeys;
using KoderId.Projections.Passkeys;

namespace KoderId.Server.Api;

/// <summary>The passkey services: the read model, its owner lookup and the <c>webauthn</c> flow step (ADR 0006).</summary>
public static class PasskeysSetup
{
    public static IServiceCollection AddKoderIdPasskeys(this IServiceCollection services)
    {
        services.AddSingleton(sp => new PasskeyDirectory(sp.GetRequiredService<KoderId.EventSourcing.Projections.IReadModelStore>()));
        services.AddSingleton<IPasskeyOwners, ProjectedPasskeyOwners>();
        services.AddSingleton<IPasskeyDecoyKey, KoderId.Server.Flows.PasskeyDecoyKey>();

        // Challenges live in the ITransientStore the storage set-up registers (shared by every node).
        services.AddScoped<WebAuthnFactor>();
        services.AddScoped<IAuthenticationFactor>(sp => sp.GetRequiredService<WebAuthnFactor>());
        services.AddScoped<IAuthenticationFactor, WebAuthnEnrolmentFactor>();
        return services;
    }
}
