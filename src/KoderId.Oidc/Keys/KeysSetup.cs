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
        services.AddOptions<KeyOptions>().Bind(configuration.GetSection(Common.OidcOptions.Section))
            .Validate(o => Positive(o.KeyRotationInterval) && Positive(o.KeyRotationCheckInterval) && Positive(o.MaxSignedTokenLifetime),
                "KoderId:Oidc:KeyRotationInterval, KeyRotationCheckInterval and MaxSignedTokenLifetime must be positive durations under 40 days (e.g. 1.00:00:00).")
            .Validate(o => o.KeyPropagationDelay >= TimeSpan.Zero && o.KeyPropagationDelay < o.KeyRotationInterval,
                "KoderId:Oidc:KeyPropagationDelay must be at least zero and shorter than KeyRotationInterval.")
            .Validate(o => o.KeyCacheLifetime >= TimeSpan.Zero && o.KeyCacheLifetime <= TimeSpan.FromMinutes(1)
                    && o.ClockSkew >= TimeSpan.Zero && o.ClockSkew <= TimeSpan.FromMinutes(10),
                "KoderId:Oidc:KeyCacheLifetime must be 0 to 1 minute and ClockSkew 0 to 10 minutes.")
            .ValidateOnStart();
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

    // PeriodicTimer takes at most ~49 days; rotation intervals are hours or days.
    private static bool Positive(TimeSpan value) => value > TimeSpan.Zero && value < TimeSpan.FromDays(40);
}
