using KoderId.Events.Grants;
using KoderId.Events.Sessions;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.Grants;

/// <summary>
/// Refresh-token families, inline: introspection and the token endpoint read them right after a write
/// (ADR 0004). A revoked session revokes its families here (<c>session-revoked</c>), so one read answers
/// "is this family active" without joining the sessions model. v2 keeps the current generation's token hash
/// (base64url SHA-256 of the secret, as in the log) so introspection answers for a refresh token from one row;
/// the write side still checks rotations against the family's stream.
/// </summary>
public sealed class RefreshFamiliesProjection : SqlProjection
{
    public const string ProjectionName = "refresh_families";
    public const string TableName = "refresh_families";
    public const int CurrentVersion = 2;

    public RefreshFamiliesProjection()
        : base(ProjectionName, CurrentVersion, ProjectionLifecycle.Inline, TableName)
    {
        On<RefreshFamilyStarted>((ctx, e, s, ct) => ctx.WriteAsync(
            $"""
            INSERT INTO {ctx.Table(TableName)} (tenant_id, family_id, session_id, client_id, user_id, scope, auth_time, amr, acr,
                generation, token_hash, started_at, last_used_at, expires_at, revoked_at, revoke_reason, version)
            VALUES (@tenant, @family, @session, @client, @user, @scope, @auth, @amr, @acr, 1, @hash, @at, @at, @expires, NULL, NULL, @version)
            ON CONFLICT (tenant_id, family_id) DO NOTHING
            """,
            ct,
            ("@tenant", s.TenantId),
            ("@family", e.FamilyId),
            ("@session", e.SessionId),
            ("@client", e.ClientId),
            ("@user", e.UserId),
            ("@scope", e.Scope),
            ("@auth", ReadModelSql.Micros(e.AuthTime)),
            ("@amr", string.Join(' ', e.AuthMethods)),
            ("@acr", e.Acr),
            ("@hash", e.TokenHash),
            ("@at", ReadModelSql.Micros(s.Metadata.Timestamp)),
            ("@expires", ReadModelSql.Micros(e.ExpiresAt)),
            ("@version", s.StreamVersion)));

        On<RefreshTokenRotated>((ctx, e, s, ct) => ctx.WriteAsync(
            $"""
            UPDATE {ctx.Table(TableName)} SET generation = @generation, token_hash = @hash, last_used_at = @at, version = @version
            WHERE tenant_id = @tenant AND family_id = @family
            """,
            ct,
            ("@generation", e.Generation),
            ("@hash", e.TokenHash),
            ("@at", ReadModelSql.Micros(s.Metadata.Timestamp)),
            ("@version", s.StreamVersion),
            ("@tenant", s.TenantId),
            ("@family", e.FamilyId)));

        On<RefreshTokenReuseDetected>((ctx, e, s, ct) => ctx.WriteAsync(
            $"UPDATE {ctx.Table(TableName)} SET version = @version WHERE tenant_id = @tenant AND family_id = @family",
            ct,
            ("@version", s.StreamVersion),
            ("@tenant", s.TenantId),
            ("@family", e.FamilyId)));

        On<RefreshFamilyRevoked>((ctx, e, s, ct) => ctx.WriteAsync(
            $"""
            UPDATE {ctx.Table(TableName)} SET revoked_at = COALESCE(revoked_at, @at), revoke_reason = COALESCE(revoke_reason, @reason), version = @version
            WHERE tenant_id = @tenant AND family_id = @family
            """,
            ct,
            ("@at", ReadModelSql.Micros(s.Metadata.Timestamp)),
            ("@reason", e.Reason),
            ("@version", s.StreamVersion),
            ("@tenant", s.TenantId),
            ("@family", e.FamilyId)));

        On<SessionRevoked>((ctx, e, s, ct) => ctx.WriteAsync(
            $"""
            UPDATE {ctx.Table(TableName)} SET revoked_at = @at, revoke_reason = 'session-revoked'
            WHERE tenant_id = @tenant AND session_id = @session AND revoked_at IS NULL
            """,
            ct,
            ("@at", ReadModelSql.Micros(s.Metadata.Timestamp)),
            ("@tenant", s.TenantId),
            ("@session", e.SessionId)));
    }

    public override async Task CreateAsync(ProjectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var families = context.Table(TableName);
        await context.ExecuteAsync(
            $"""
            CREATE TABLE {families} (
                tenant_id TEXT NOT NULL,
                family_id TEXT NOT NULL,
                session_id TEXT NOT NULL,
                client_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                scope TEXT NOT NULL,
                auth_time BIGINT NOT NULL,
                amr TEXT NOT NULL,
                acr TEXT,
                generation BIGINT NOT NULL,
                token_hash TEXT NOT NULL,
                started_at BIGINT NOT NULL,
                last_used_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                revoked_at BIGINT,
                revoke_reason TEXT,
                version BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, family_id))
            """,
            ct).ConfigureAwait(false);
        await context.ExecuteAsync($"CREATE INDEX ix_{families}_session ON {families} (tenant_id, session_id)", ct).ConfigureAwait(false);
    }
}
