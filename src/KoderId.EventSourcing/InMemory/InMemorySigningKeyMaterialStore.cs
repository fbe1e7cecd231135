using System.Collections.Concurrent;
using KoderId.EventSourcing.Storage;

namespace KoderId.EventSourcing.InMemory;

/// <summary>Sealed signing keys in process memory, for the in-memory provider and tests.</summary>
public sealed class InMemorySigningKeyMaterialStore : ISigningKeyMaterialStore
{
    private readonly ConcurrentDictionary<(string Tenant, string Ref), byte[]> _keys = new();

    public Task PutAsync(string tenantId, string keyRef, byte[] sealedKey, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(sealedKey);
        _keys.TryAdd((tenantId, keyRef), sealedKey.ToArray());
        return Task.CompletedTask;
    }

    public Task<byte[]?> GetAsync(string tenantId, string keyRef, CancellationToken ct = default) =>
        Task.FromResult(_keys.TryGetValue((tenantId, keyRef), out var key) ? key.ToArray() : null);

    public Task<bool> DeleteAsync(string tenantId, string keyRef, CancellationToken ct = default) =>
        Task.FromResult(_keys.TryRemove((tenantId, keyRef), out _));
}
