namespace KoderId.Application.Sessions;

/// <summary>
/// The query contract "sign out everywhere" needs: which sessions of a user are active. The write side learns
/// it from the sessions read model (implemented by the host over <c>SessionDirectory</c>), never from its tables.
/// </summary>
public interface IActiveSessions
{
    /// <summary>The ids of the user's sessions that are neither revoked nor expired at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<string>> ListActiveSessionIdsAsync(string tenantId, string userId, DateTimeOffset now, CancellationToken ct = default);
}
