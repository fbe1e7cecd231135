namespace KoderId.EventSourcing.Storage;

/// <summary>
/// Per-subject data keys for crypto-shredding, kept outside the log. Erasing a key makes that subject's
/// personal fields unreadable everywhere in the log while the log itself, and its hash chain, stay intact.
/// </summary>
public interface ISubjectKeyStore
{
    Task<byte[]> GetOrCreateKeyAsync(string tenantId, string subjectId, CancellationToken ct = default);

    /// <summary>The key, or null when the subject never had one or was erased.</summary>
    Task<byte[]?> TryGetKeyAsync(string tenantId, string subjectId, CancellationToken ct = default);

    /// <summary>Deletes the key for good. Returns false when there was none.</summary>
    Task<bool> EraseAsync(string tenantId, string subjectId, CancellationToken ct = default);
}
