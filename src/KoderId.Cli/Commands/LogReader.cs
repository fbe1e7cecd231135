using System.Runtime.CompilerServices;
using KoderId.EventSourcing.Storage;

namespace KoderId.Cli.Commands;

/// <summary>Reads the log in bounded pages, so no driver holds one cursor open over millions of rows.</summary>
internal static class LogReader
{
    public const int PageSize = 10_000;

    public static async IAsyncEnumerable<StoredEvent> ReadAsync(IEventStore store, long afterPosition, [EnumeratorCancellation] CancellationToken ct)
    {
        var cursor = afterPosition;
        while (true)
        {
            var count = 0;
            await foreach (var e in store.ReadAllAsync(cursor, PageSize, ct).ConfigureAwait(false))
            {
                cursor = e.Position;
                count++;
                yield return e;
            }

            if (count < PageSize)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// The last <paramref name="limit"/> events at or before <paramref name="head"/> that match, oldest first.
    /// The log only reads forward, so this reads windows backwards from the head, doubling them while few match.
    /// </summary>
    public static async Task<IReadOnlyList<StoredEvent>> ReadLastAsync(IEventStore store, long head, int limit, Func<StoredEvent, bool> matches, bool filtered, CancellationToken ct)
    {
        var windows = new List<List<StoredEvent>>();
        var found = 0;
        var end = head;
        long window = filtered ? Math.Min(Math.Max(limit * 4L, 1_000), 100_000) : limit;
        while (end > 0 && found < limit)
        {
            var start = Math.Max(0, end - window);
            var chunk = new List<StoredEvent>();
            await foreach (var e in store.ReadAllAsync(start, (int)(end - start), ct).ConfigureAwait(false))
            {
                if (e.Position > end)
                {
                    break;
                }

                if (matches(e))
                {
                    chunk.Add(e);
                }
            }

            windows.Add(chunk);
            found += chunk.Count;
            end = start;
            window = Math.Min(window * 2, Math.Max(window, 100_000));
        }

        var result = new List<StoredEvent>(Math.Min(found, limit));
        for (var i = windows.Count - 1; i >= 0; i--)
        {
            result.AddRange(windows[i]);
        }

        return result.Count > limit ? result[^limit..] : result;
    }
}
