using KoderId.Application.Sessions;
using KoderId.Events.Sessions;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;

namespace KoderId.Application.Tests;

/// <summary>The sessions query contract from the whole log, for stores without read models (the in-memory store).</summary>
internal sealed class LogActiveSessions(IEventStore store, EventSerializer serializer) : IActiveSessions
{
    public async Task<IReadOnlyList<string>> ListActiveSessionIdsAsync(string tenantId, string userId, DateTimeOffset now, CancellationToken ct = default)
    {
        var active = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await foreach (var stored in store.ReadAllAsync(0, ct: ct))
        {
            if (stored.TenantId != tenantId || !stored.EventType.StartsWith("session.", StringComparison.Ordinal))
            {
                continue;
            }

            switch ((await serializer.DeserializeAsync(stored, ct)).Event)
            {
                case SessionStarted e when e.UserId == userId:
                    active[e.SessionId] = e.ExpiresAt;
                    break;
                case SessionRevoked e:
                    active.Remove(e.SessionId);
                    break;
            }
        }

        return active.Where(kv => kv.Value > now).Select(kv => kv.Key).ToArray();
    }
}
