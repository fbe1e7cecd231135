using KoderId.EventSourcing.Storage;

namespace KoderId.EventSourcing.Subscriptions;

/// <summary>
/// Reads the log from a stored checkpoint in batches, then switches to live: it waits on the store's append
/// signal and keeps handling new events in position order, saving the checkpoint after each batch. A handler
/// therefore sees an event again only after a crash between handling and saving (at-least-once), never out of order.
/// </summary>
public sealed class CatchUpSubscription(
    IEventStore store,
    ICheckpointStore checkpoints,
    string name,
    Func<StoredEvent, CancellationToken, ValueTask> handler,
    int batchSize = 1_000)
{
    public string Name => name;

    /// <summary>True once the subscription has read up to the head of the log at least once.</summary>
    public bool IsLive { get; private set; }

    public long Position { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        Position = await checkpoints.LoadAsync(name, ct).ConfigureAwait(false);
        while (!ct.IsCancellationRequested)
        {
            var handled = 0;
            await foreach (var e in store.ReadAllAsync(Position, batchSize, ct).ConfigureAwait(false))
            {
                if (e.Position <= Position)
                {
                    throw new InvalidOperationException($"Subscription '{name}' read position {e.Position} after {Position}: the log is out of order.");
                }

                await handler(e, ct).ConfigureAwait(false);
                Position = e.Position;
                handled++;
            }

            if (handled > 0)
            {
                await checkpoints.SaveAsync(name, Position, ct).ConfigureAwait(false);
            }

            if (handled < batchSize)
            {
                IsLive = true;
                try
                {
                    await store.WaitForEventsAsync(Position, TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }
}
