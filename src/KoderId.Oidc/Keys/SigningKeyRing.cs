using System.Collections.Concurrent;
using System.Security.Cryptography;
using KoderId.Application.Common;
using KoderId.EventSourcing.Storage;
using KoderId.Projections.Keys;

namespace KoderId.Oidc.Keys;

/// <summary>The key that signs now for a tenant and algorithm, with its private half ready to use.</summary>
public sealed record ActiveSigningKey(string KeyId, string Algorithm, AsymmetricAlgorithm PrivateKey);

/// <summary>
/// The signing side's view of the keys: the active key per tenant and algorithm from the cached
/// <see cref="SigningKeyDirectory"/>, its private key opened once and kept in memory. A tenant with no key yet gets
/// its first keys here (lazily, on first use), so signing never fails for want of a key.
/// </summary>
public sealed class SigningKeyRing(
    SigningKeyDirectory directory,
    KeyRotator rotator,
    ISigningKeyMaterialStore material,
    PrivateKeyProtector protector,
    IClock clock)
{
    private readonly ConcurrentDictionary<(string Tenant, string KeyId), Lazy<Task<AsymmetricAlgorithm>>> _private = new();

    /// <summary>The tenant's keys, created first when it has none. Use before serving JWKS for a tenant.</summary>
    public async ValueTask<SigningKeySet> KeysAsync(string tenantId, CancellationToken ct = default)
    {
        var keys = await directory.GetAsync(tenantId, ct).ConfigureAwait(false);
        if (keys.All.Count > 0)
        {
            return keys;
        }

        await rotator.RotateAsync(tenantId, ct).ConfigureAwait(false);
        return await directory.GetAsync(tenantId, ct).ConfigureAwait(false);
    }

    public async ValueTask<ActiveSigningKey> ActiveAsync(string tenantId, string algorithm, CancellationToken ct = default)
    {
        var keys = await directory.GetAsync(tenantId, ct).ConfigureAwait(false);
        var key = keys.Active(algorithm, clock.UtcNow);
        if (key is null)
        {
            await rotator.RotateAsync(tenantId, ct).ConfigureAwait(false);
            keys = await directory.GetAsync(tenantId, ct).ConfigureAwait(false);
            key = keys.Active(algorithm, clock.UtcNow)
                  ?? throw new SigningKeyUnavailableException($"Tenant {tenantId} has no active {algorithm} key after its first rotation.");
        }

        var lazy = _private.GetOrAdd((tenantId, key.KeyId), k => new Lazy<Task<AsymmetricAlgorithm>>(() => OpenAsync(k.Tenant, key.PrivateKeyRef, key.Algorithm)));
        try
        {
            return new ActiveSigningKey(key.KeyId, key.Algorithm, await lazy.Value.ConfigureAwait(false));
        }
        catch
        {
            // Not cached: a store outage or a KEK fixed later must be able to succeed on the next call.
            _private.TryRemove(new KeyValuePair<(string, string), Lazy<Task<AsymmetricAlgorithm>>>((tenantId, key.KeyId), lazy));
            throw;
        }
    }

    private async Task<AsymmetricAlgorithm> OpenAsync(string tenantId, string keyRef, string algorithm)
    {
        var sealedKey = await material.GetAsync(tenantId, keyRef, CancellationToken.None).ConfigureAwait(false)
                        ?? throw new SigningKeyUnavailableException($"The private key {keyRef} of tenant {tenantId} is missing from the key table.");
        return SigningKeyFactory.ImportPrivate(algorithm, protector.Open(tenantId, keyRef, sealedKey));
    }
}
