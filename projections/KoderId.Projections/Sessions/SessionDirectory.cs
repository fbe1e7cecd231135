using System.Buffers.Text;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.Sessions;

/// <param name="Device">A short summary of the user agent ("Firefox on Linux"), null when none was recorded.</param>
/// <param name="LastUsedAt">The start, or the latest code redemption or refresh on this session.</param>
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
    long Version,
    string? Acr,
    DateTimeOffset AuthTime,
    DateTimeOffset LastUsedAt)
{
    public string? Device => UserAgentSummary.Describe(UserAgent);

    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && now < ExpiresAt;
}

/// <summary>Reads the <c>sessions</c> model. Every query is scoped to one tenant.</summary>
public sealed class SessionDirectory(IReadModelStore store)
{
    private const string Columns =
        "tenant_id, session_id, user_id, auth_methods, client_ip, user_agent, started_at, expires_at, revoked_at, revoke_reason, version, acr, auth_time, last_used_at, secret_hash";

    private readonly string _table = ReadModelSql.LiveTable(SessionsProjection.TableName, SessionsProjection.CurrentVersion);

    public async Task<SessionView?> GetAsync(string tenantId, string sessionId, CancellationToken ct = default) =>
        (await GetRowAsync(tenantId, sessionId, ct).ConfigureAwait(false))?.View;

    /// <summary>The hot path of every request carrying the SSO cookie: the session when it is neither revoked nor expired at <paramref name="now"/>.</summary>
    public async Task<SessionView?> GetActiveAsync(string tenantId, string sessionId, DateTimeOffset now, CancellationToken ct = default) =>
        await GetAsync(tenantId, sessionId, ct).ConfigureAwait(false) is { } view && view.IsActiveAt(now) ? view : null;

    /// <summary>
    /// The session the SSO cookie's secret proves, when active: SHA-256 of <paramref name="secret"/> compared with
    /// the stored hash in constant time. Null for an unknown, revoked, expired or other tenant's session and for a
    /// wrong secret alike.
    /// </summary>
    public async Task<SessionView?> ValidateAsync(string tenantId, string sessionId, string secret, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var row = await GetRowAsync(tenantId, sessionId, ct).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        Span<byte> stored = stackalloc byte[SHA256.HashSizeInBytes];
        var decoded = row.SecretHash is not null
            && Base64Url.DecodeFromChars(row.SecretHash, stored, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == stored.Length;
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        var matches = CryptographicOperations.FixedTimeEquals(presented, stored) && decoded;
        return matches && row.View.IsActiveAt(now) ? row.View : null;
    }

    /// <summary>The user's sessions that are neither revoked nor expired at <paramref name="now"/>, newest first.</summary>
    public async Task<IReadOnlyList<SessionView>> ListActiveForUserAsync(string tenantId, string userId, DateTimeOffset now, CancellationToken ct = default) =>
        (await ReadModelSql.QueryAsync(store,
            $"""
            SELECT {Columns} FROM {_table}
            WHERE tenant_id = @tenant AND user_id = @user AND revoked_at IS NULL AND expires_at > @now
            ORDER BY started_at DESC, session_id
            """,
            Map, ct, ("@tenant", tenantId), ("@user", userId), ("@now", ReadModelSql.Micros(now))).ConfigureAwait(false)).Select(r => r.View).ToArray();

    private async Task<Row?> GetRowAsync(string tenantId, string sessionId, CancellationToken ct) =>
        (await ReadModelSql.QueryAsync(store, $"SELECT {Columns} FROM {_table} WHERE tenant_id = @tenant AND session_id = @session", Map, ct,
            ("@tenant", tenantId), ("@session", sessionId)).ConfigureAwait(false)).SingleOrDefault();

    private static Row Map(DbDataReader r) => new(
        new SessionView(
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
            r.Long(10),
            r.Text(11),
            r.Time(12),
            r.Time(13)),
        r.Text(14));

    private sealed record Row(SessionView View, string? SecretHash);
}
