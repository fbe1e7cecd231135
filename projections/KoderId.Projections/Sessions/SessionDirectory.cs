using System.Data.Common;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.Sessions;

public sealed record SessionView(
    string TenantId,
    string SessionId,
    string UserId,
    IReadOnlyList<string> AuthMethods,
    string? ClientIp,
    string? UserAgent,
    DateTimeOffset StartedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    string? RevokeReason,
    long Version)
{
    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && now < ExpiresAt;
}

/// <summary>Reads the <c>sessions</c> model. Every query is scoped to one tenant.</summary>
public sealed class SessionDirectory(IReadModelStore store)
{
    private const string Columns = "tenant_id, session_id, user_id, auth_methods, client_ip, user_agent, started_at, expires_at, revoked_at, revoke_reason, version";
    private readonly string _table = ReadModelSql.LiveTable(SessionsProjection.TableName, SessionsProjection.CurrentVersion);

    public async Task<SessionView?> GetAsync(string tenantId, string sessionId, CancellationToken ct = default) =>
        (await ReadModelSql.QueryAsync(store, $"SELECT {Columns} FROM {_table} WHERE tenant_id = @tenant AND session_id = @session", Map, ct,
            ("@tenant", tenantId), ("@session", sessionId)).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>The user's sessions that are neither revoked nor expired at <paramref name="now"/>, newest first.</summary>
    public async Task<IReadOnlyList<SessionView>> ListActiveForUserAsync(string tenantId, string userId, DateTimeOffset now, CancellationToken ct = default) =>
        await ReadModelSql.QueryAsync(store,
            $"""
            SELECT {Columns} FROM {_table}
            WHERE tenant_id = @tenant AND user_id = @user AND revoked_at IS NULL AND expires_at > @now
            ORDER BY started_at DESC, session_id
            """,
            Map, ct, ("@tenant", tenantId), ("@user", userId), ("@now", ReadModelSql.Micros(now))).ConfigureAwait(false);

    private static SessionView Map(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        r.GetString(3).Split(' ', StringSplitOptions.RemoveEmptyEntries),
        r.Text(4),
        r.Text(5),
        r.Time(6),
        r.Time(7),
        r.NullableTime(8),
        r.Text(9),
        r.Long(10));
}
