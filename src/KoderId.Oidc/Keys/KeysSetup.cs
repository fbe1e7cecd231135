using KoderId.EventSourcing.Projections;
using KoderId.Projections.Keys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KoderId.Oidc.Keys;

/// <summary>The keys feature: directory, rotation (service and lazy), signer, validator, algorithm policy. The host supplies the KEK and key table.</summary>
public static class KeysSetup
{
    public static IServiceCollection AddKoderIdKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KeyOptions>().Bind(configuration.GetSection(Common.OidcOptions.Section));
        services.TryAddSingleton(sp => new SigningKeyDirectory(sp.GetRequiredService<IReadModelStore>())
        {
            CacheLifetime = sp.GetRequiredService<IOptions<KeyOptions>>().Value.KeyCacheLifetime,
        });
        services.TryAddSingleton<PrivateKeyProtector>();
        services.TryAddSingleton<KeyRotator>();
        services.TryAddSingleton<SigningKeyRing>();
        services.TryAddSingleton<JwtSigner>();
        services.TryAddSingleton<ITokenSigner>(sp => sp.GetRequiredService<JwtSigner>());
        services.TryAddSingleton<JwtValidator>();
        services.TryAddSingleton<ISigningAlgorithmPolicy, DefaultSigningAlgorithmPolicy>();
        services.AddHostedService<KeyRotationService>();
        return services;
    }
}
