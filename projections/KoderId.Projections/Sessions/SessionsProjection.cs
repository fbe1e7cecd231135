using KoderId.Events.Grants;
using KoderId.Events.Sessions;
using KoderId.Events.Users;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.Sessions;

/// <summary>
/// Browser sessions, inline (every authenticated request validates one). Erasing a user clears the IP
/// address and user agent of that user's sessions, as a rebuild would after the key is gone. "Last used"
/// moves with the grant events that name the session (a code redeemed, a refresh token rotated): a request
/// that only presents the cookie appends nothing (ADR 0004, hot paths append nothing).
/// </summary>
public sealed class SessionsProjection : SqlProjection
{
    public const string ProjectionName = "sessions";
    public const string TableName = "sessions";

    /// <summary>v2: secret hash, acr, auth_time and last use.</summary>
    public const int CurrentVersion = 2;

    public SessionsProjection()
        : base(ProjectionName, CurrentVersion, ProjectionLifecycle.Inline, TableName)
    {
        On<SessionStarted>((ctx, e, s, ct) => ctx.WriteAsync(
            $"""
            INSERT INTO {ctx.Table(TableName)} (tenant_id, session_id, user_id, auth_methods, client_ip, user_agent,
                started_at, expires_at, revoked_at, revoke_reason, version, secret_hash, acr, auth_time, last_used_at)
            VALUES (@tenant, @session, @user, @amr, @ip, @ua, @at, @expires, NULL, NULL, @version, @secret, @acr, @auth, @at)
            ON CONFLICT (tenant_id, session_id) DO UPDATE SET user_id = excluded.user_id, auth_methods = excluded.auth_methods,
                client_ip = excluded.client_ip, user_agent = excluded.user_agent, started_at = excluded.started_at,
                expires_at = excluded.expires_at, revoked_at = excluded.revoked_at, revoke_reason = excluded.revoke_reason,
                version = excluded.version, secret_hash = excluded.secret_hash, acr = excluded.acr, auth_time = excluded.auth_time,
                last_used_at = excluded.last_used_at
            """,
            ct,
            ("@tenant", s.TenantId),
            ("@session", e.SessionId),
            ("@user", e.UserId),
            ("@amr", string.Join(' ', e.AuthMethods)),
            ("@ip", e.ClientIp),
            ("@ua", e.UserAgent),
            ("@at", ReadModelSql.Micros(s.Metadata.Timestamp)),
            ("@expires", ReadModelSql.Micros(e.ExpiresAt)),
            ("@version", s.StreamVersion),
            ("@secret", e.SecretHash),
            ("@acr", e.Acr),
            ("@auth", ReadModelSql.Micros(e.AuthTime ?? s.Metadata.Timestamp))));

        On<SessionRevoked>((ctx, e, s, ct) => ctx.WriteAsync(
            $"""
            UPDATE {ctx.Table(TableName)} SET revoked_at = @at, revoke_reason = @reason, version = @version
            WHERE tenant_id = @tenant AND session_id = @session
            """,
            ct,
            ("@at", ReadModelSql.Micros(s.Metadata.Timestamp)),
            ("@reason", e.Reason),
            ("@version", s.StreamVersion),
            ("@tenant", s.TenantId),
            ("@session", e.SessionId)));

        On<AuthorizationCodeRedeemed>((ctx, e, s, ct) => TouchAsync(ctx, s.TenantId, e.SessionId, s.Metadata.Timestamp, ct));
        On<RefreshTokenRotated>((ctx, e, s, ct) => TouchAsync(ctx, s.TenantId, e.SessionId, s.Metadata.Timestamp, ct));

        On<UserErased>((ctx, e, s, ct) => ctx.WriteAsync(
            $"UPDATE {ctx.Table(TableName)} SET client_ip = NULL, user_agent = NULL WHERE tenant_id = @tenant AND user_id = @user",
            ct,
            ("@tenant", s.TenantId),
            ("@user", e.UserId)));
    }

    public override async Task CreateAsync(ProjectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var sessions = context.Table(TableName);
        await context.ExecuteAsync(
            $"""
            CREATE TABLE {sessions} (
                tenant_id TEXT NOT NULL,
                session_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                auth_methods TEXT NOT NULL,
                client_ip TEXT,
                user_agent TEXT,
                started_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                revoked_at BIGINT,
                revoke_reason TEXT,
                version BIGINT NOT NULL,
                secret_hash TEXT,
                acr TEXT,
                auth_time BIGINT NOT NULL,
                last_used_at BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, session_id))
            """,
            ct).ConfigureAwait(false);
        await context.ExecuteAsync($"CREATE INDEX ix_{sessions}_user ON {sessions} (tenant_id, user_id)", ct).ConfigureAwait(false);
    }

    // Never backwards: events of several streams may be applied out of wall-clock order on a rebuild.
    private static Task TouchAsync(ProjectionContext ctx, string tenantId, string sessionId, DateTimeOffset at, CancellationToken ct) => ctx.WriteAsync(
        $"UPDATE {ctx.Table(TableName)} SET last_used_at = @at WHERE tenant_id = @tenant AND session_id = @session AND last_used_at < @at",
        ct,
        ("@at", ReadModelSql.Micros(at)),
        ("@tenant", tenantId),
        ("@session", sessionId));
}
