namespace KoderId.EventSourcing.Storage;

/// <summary>
/// Per-subject data keys for crypto-shredding, kept outside the log. Erasing a key makes that subject's
/// personal fields unreadable everywhere in the log while the log itself, and its hash chain, stay intact.
/// </summary>
public interface ISubjectKeyStore
{
    Task<byte[]> GetOrCreateKeyAsync(string tenantId, string subjectId, CancellationToken ct = default);

    /// <summary>Creates the keys of many subjects that have none (a bulk write's new users) ahead of their events; existing keys stay.</summary>
    async Task CreateKeysAsync(string tenantId, IReadOnlyCollection<string> subjectIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(subjectIds);
        foreach (var subject in subjectIds)
        {
            await GetOrCreateKeyAsync(tenantId, subject, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <see cref="CreateKeysAsync"/>, then every subject's key, so a bulk write encrypts a batch without a lookup per
    /// event. A subject erased meanwhile is left out (its events then cannot be written with personal data).
    /// </summary>
    async Task<IReadOnlyDictionary<string, byte[]>> GetOrCreateKeysAsync(string tenantId, IReadOnlyCollection<string> subjectIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(subjectIds);
        await CreateKeysAsync(tenantId, subjectIds, ct).ConfigureAwait(false);
        var keys = new Dictionary<string, byte[]>(subjectIds.Count, StringComparer.Ordinal);
        foreach (var subject in subjectIds)
        {
            if (await TryGetKeyAsync(tenantId, subject, ct).ConfigureAwait(false) is { } key)
            {
                keys[subject] = key;
            }
        }

        return keys;
    }

    /// <summary>The key, or null when the subject never had one or was erased.</summary>
    Task<byte[]?> TryGetKeyAsync(string tenantId, string subjectId, CancellationToken ct = default);

    /// <summary>Deletes the key for good. Returns false when there was none.</summary>
    Task<bool> EraseAsync(string tenantId, string subjectId, CancellationToken ct = default);
}
