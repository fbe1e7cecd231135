namespace KoderId.EventSourcing.Storage;

/// <summary>
/// An <see cref="IEventStore"/> that passes every call to <see cref="Inner"/>: a decorator (metrics, timing, counting)
/// overrides only the calls it observes.
/// </summary>
public abstract class DelegatingEventStore(IEventStore inner) : IEventStore
{
    protected IEventStore Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    public virtual bool SupportsMultiStreamAppend => Inner.SupportsMultiStreamAppend;

    public virtual Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default) => Inner.AppendAsync(request, ct);

    public virtual Task<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<AppendRequest> requests, CancellationToken ct = default) =>
        Inner.AppendManyAsync(requests, ct);

    public virtual IAsyncEnumerable<StoredEvent> ReadStreamAsync(
        string tenantId, string streamId, ReadDirection direction = ReadDirection.Forward, long fromVersion = 1, int maxCount = int.MaxValue, CancellationToken ct = default) =>
        Inner.ReadStreamAsync(tenantId, streamId, direction, fromVersion, maxCount, ct);

    public virtual IAsyncEnumerable<StoredEvent> ReadAllAsync(long afterPosition, int maxCount = int.MaxValue, CancellationToken ct = default) =>
        Inner.ReadAllAsync(afterPosition, maxCount, ct);

    public virtual Task<long> GetStreamVersionAsync(string tenantId, string streamId, CancellationToken ct = default) =>
        Inner.GetStreamVersionAsync(tenantId, streamId, ct);

    public virtual Task<string?> GetClaimOwnerAsync(string tenantId, string scope, string value, CancellationToken ct = default) =>
        Inner.GetClaimOwnerAsync(tenantId, scope, value, ct);

    public virtual Task<LogHead> ReadHeadAsync(CancellationToken ct = default) => Inner.ReadHeadAsync(ct);

    public virtual Task WaitForEventsAsync(long afterPosition, TimeSpan timeout, CancellationToken ct = default) =>
        Inner.WaitForEventsAsync(afterPosition, timeout, ct);
}
