using KoderId.Events.Sessions;
using KoderId.Events.Users;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.Sessions;

/// <summary>
/// Browser sessions, inline (every authenticated request validates one). Erasing a user clears the IP
/// address and user agent of that user's sessions, as a rebuild would after the key is gone.
/// </summary>
public sealed class SessionsProjection : SqlProjection
{
    public const string ProjectionName = "sessions";
    public const string TableName = "sessions";
    public const int CurrentVersion = 1;

    public SessionsProjection()
        : base(ProjectionName, CurrentVersion, ProjectionLifecycle.Inline, TableName)
    {
        On<SessionStarted>((ctx, e, s, ct) => ctx.WriteAsync(
            $"""
            INSERT INTO {ctx.Table(TableName)} (tenant_id, session_id, user_id, auth_methods, client_ip, user_agent,
                started_at, expires_at, revoked_at, revoke_reason, version)
            VALUES (@tenant, @session, @user, @amr, @ip, @ua, @at, @expires, NULL, NULL, @version)
            ON CONFLICT (tenant_id, session_id) DO UPDATE SET user_id = excluded.user_id, auth_methods = excluded.auth_methods,
                client_ip = excluded.client_ip, user_agent = excluded.user_agent, started_at = excluded.started_at,
                expires_at = excluded.expires_at, revoked_at = excluded.revoked_at, revoke_reason = excluded.revoke_reason,
                version = excluded.version
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
            ("@version", s.StreamVersion)));

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
                PRIMARY KEY (tenant_id, session_id))
            """,
            ct).ConfigureAwait(false);
        await context.ExecuteAsync($"CREATE INDEX ix_{sessions}_user ON {sessions} (tenant_id, user_id)", ct).ConfigureAwait(false);
    }
}
