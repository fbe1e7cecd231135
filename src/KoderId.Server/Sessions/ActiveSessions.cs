using KoderId.Application.Sessions;
using KoderId.Projections.Sessions;

namespace KoderId.Server.Sessions;

/// <summary>The write side's "which sessions are active" query, answered by the inline sessions model.</summary>
public sealed class ActiveSessions(SessionDirectory sessions) : IActiveSessions
{
    public async Task<IReadOnlyList<string>> ListActiveSessionIdsAsync(string tenantId, string userId, DateTimeOffset now, CancellationToken ct = default) =>
        (await sessions.ListActiveForUserAsync(tenantId, userId, now, ct).ConfigureAwait(false)).Select(s => s.SessionId).ToArray();
}
