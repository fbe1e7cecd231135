using KoderId.Projections.Keys;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KoderId.Oidc.Keys;

/// <summary>
/// Rotates the keys of every tenant that has keys, every <see cref="KeyOptions.KeyRotationCheckInterval"/>; the
/// first keys of a tenant are made on first use (<see cref="SigningKeyRing"/>). Several nodes may run it: the
/// rotator's expected-version append lets one rotation through.
/// </summary>
public sealed class KeyRotationService(SigningKeyDirectory directory, KeyRotator rotator, IOptions<KeyOptions> options, ILogger<KeyRotationService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.KeyRotationCheckInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await RotateDueAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>One pass over every tenant with keys; a failure for one tenant is logged and the others still rotate.</summary>
    public async Task RotateDueAsync(CancellationToken ct)
    {
        IReadOnlyList<string> tenants;
        try
        {
            tenants = await directory.TenantsAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Key rotation skipped: the signing keys could not be listed");
            return;
        }

        foreach (var tenant in tenants)
        {
            try
            {
                await rotator.RotateAsync(tenant, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Key rotation failed for tenant {TenantId}; retried at the next check", tenant);
            }
        }
    }
}
