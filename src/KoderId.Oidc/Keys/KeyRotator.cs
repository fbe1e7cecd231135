using System.Collections.Concurrent;
using KoderId.Application.Common;
using KoderId.Domain.Keys;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;
using KoderId.Projections.Keys;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KoderId.Oidc.Keys;

/// <summary>
/// Creates a tenant's first keys and rotates them when due (ADR 0004): reads <c>signing-keys-{tenant}</c>, asks the
/// domain what is due, generates and seals the key pairs, stores the sealed private keys, then appends the
/// <c>key.rotated.v1</c> events with the version it read. Of two nodes rotating at once exactly one append
/// commits; the other deletes the keys it sealed, re-reads and finds nothing due.
/// </summary>
public sealed class KeyRotator(
    IEventStore store,
    EventSerializer serializer,
    ISigningKeyMaterialStore material,
    PrivateKeyProtector protector,
    SigningKeyDirectory directory,
    IClock clock,
    IOptions<KeyOptions> options,
    ILogger<KeyRotator> logger)
{
    private const int Attempts = 3;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <summary>Rotates whatever is due at the clock's now; returns the number of keys created (0 when all are current).</summary>
    public async Task<int> RotateAsync(string tenantId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);

        // One rotation per tenant at a time in this process; other nodes are kept out by the expected version.
        var gate = _locks.GetOrAdd(tenantId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var (state, version) = await LoadAsync(tenantId, ct).ConfigureAwait(false);
                var now = clock.UtcNow;
                var plans = SigningKeys.Plan(state, SigningAlgorithms.All, options.Value.Policy(), now);
                if (plans.Count == 0)
                {
                    return 0;
                }

                var created = new List<(KeyRotationPlan Plan, GeneratedSigningKey Key)>(plans.Count);
                foreach (var plan in plans)
                {
                    var key = SigningKeyFactory.Generate(plan.Algorithm);
                    var sealedKey = protector.Seal(tenantId, key.KeyId, key.Pkcs8PrivateKey);
                    System.Security.Cryptography.CryptographicOperations.ZeroMemory(key.Pkcs8PrivateKey);
                    await material.PutAsync(tenantId, key.KeyId, sealedKey, ct).ConfigureAwait(false);
                    created.Add((plan, key));
                }

                try
                {
                    await AppendAsync(tenantId, version, created, now, ct).ConfigureAwait(false);
                }
                catch (WrongExpectedVersionException) when (attempt < Attempts)
                {
                    await ForgetAsync(tenantId, created).ConfigureAwait(false);
                    continue;
                }
                catch
                {
                    await ForgetAsync(tenantId, created).ConfigureAwait(false);
                    throw;
                }

                // The inline projection has committed with the append: drop the cached key sets now rather than
                // when a reader between the projection and the commit might have cached the old ones.
                SigningKeysProjection.NotifyChanged();
                directory.Invalidate();
                foreach (var (plan, key) in created)
                {
                    logger.LogInformation(
                        "Signing key {KeyId} ({Algorithm}) of tenant {TenantId} published; signs from {ActivatesAt:o}, replaces {RetiredKeyId}",
                        key.KeyId, plan.Algorithm, tenantId, plan.ActivatesAt, plan.RetiredKeyId ?? "nothing");
                }

                return created.Count;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<(SigningKeysState State, long Version)> LoadAsync(string tenantId, CancellationToken ct)
    {
        var state = SigningKeysState.Initial;
        long version = 0;
        await foreach (var stored in store.ReadStreamAsync(tenantId, SigningKeys.StreamId(tenantId), ct: ct).ConfigureAwait(false))
        {
            var decoded = await serializer.DeserializeAsync(stored, ct).ConfigureAwait(false);
            state = SigningKeys.Evolve(state, decoded.Event);
            version = stored.StreamVersion;
        }

        return (state, version);
    }

    private async Task AppendAsync(string tenantId, long version, List<(KeyRotationPlan Plan, GeneratedSigningKey Key)> created, DateTimeOffset now, CancellationToken ct)
    {
        var metadata = new EventMetadata { Timestamp = TimeStamps.Truncate(now), Actor = "system:key-rotation" };
        var events = new List<UncommittedEvent>(created.Count);
        foreach (var (plan, key) in created)
        {
            var e = SigningKeys.Rotated(plan, key.KeyId, key.PublicKey, key.KeyId);
            events.Add(await serializer.SerializeAsync(tenantId, e, metadata with { EventId = Guid.NewGuid() }, ct).ConfigureAwait(false));
        }

        await store.AppendAsync(new AppendRequest(tenantId, SigningKeys.StreamId(tenantId), ExpectedVersion.At(version), events), ct).ConfigureAwait(false);
    }

    /// <summary>Deletes sealed keys no event names (the append lost or failed). Best effort: an orphan row is harmless.</summary>
    private async Task ForgetAsync(string tenantId, List<(KeyRotationPlan Plan, GeneratedSigningKey Key)> created)
    {
        foreach (var (_, key) in created)
        {
            try
            {
                await material.DeleteAsync(tenantId, key.KeyId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (EventStoreException ex)
            {
                logger.LogWarning(ex, "The unused sealed key {KeyId} of tenant {TenantId} could not be deleted", key.KeyId, tenantId);
            }
        }
    }
}
