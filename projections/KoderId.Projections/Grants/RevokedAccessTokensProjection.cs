using KoderId.Events.Grants;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.Grants;

/// <summary>
/// Access tokens revoked by <c>jti</c> (RFC 7009, tokens without a refresh family), inline so introspection and
/// userinfo refuse them at once. Bounded by <c>exp</c>: each insert deletes the rows whose token expired before
/// the event (a token past its <c>exp</c> is refused for that alone), so the table holds at most the revocations
/// of one access-token lifetime. The event's own timestamp is the clock, so a rebuild ends with the same rows.
/// </summary>
public sealed class RevokedAccessTokensProjection : SqlProjection
{
    public const string ProjectionName = "revoked_access_tokens";
    public const string TableName = "revoked_access_tokens";
    public const int CurrentVersion = 1;

    public RevokedAccessTokensProjection()
        : base(ProjectionName, CurrentVersion, ProjectionLifecycle.Inline, TableName)
    {
        On<AccessTokenRevoked>(async (ctx, e, s, ct) =>
        {
            await ctx.WriteAsync(
                $"DELETE FROM {ctx.Table(TableName)} WHERE expires_at < @at",
                ct,
                ("@at", ReadModelSql.Micros(s.Metadata.Timestamp))).ConfigureAwait(false);
            await ctx.WriteAsync(
                $"""
                INSERT INTO {ctx.Table(TableName)} (tenant_id, jti, client_id, session_id, expires_at, revoked_at)
                VALUES (@tenant, @jti, @client, @session, @expires, @at)
                ON CONFLICT (tenant_id, jti) DO NOTHING
                """,
                ct,
                ("@tenant", s.TenantId),
                ("@jti", e.Jti),
                ("@client", e.ClientId),
                ("@session", e.SessionId),
                ("@expires", ReadModelSql.Micros(e.ExpiresAt)),
                ("@at", ReadModelSql.Micros(s.Metadata.Timestamp))).ConfigureAwait(false);
        });
    }

    public override async Task CreateAsync(ProjectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var table = context.Table(TableName);
        await context.ExecuteAsync(
            $"""
            CREATE TABLE {table} (
                tenant_id TEXT NOT NULL,
                jti TEXT NOT NULL,
                client_id TEXT NOT NULL,
                session_id TEXT,
                expires_at BIGINT NOT NULL,
                revoked_at BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, jti))
            """,
            ct).ConfigureAwait(false);
        await context.ExecuteAsync($"CREATE INDEX ix_{table}_expires ON {table} (expires_at)", ct).ConfigureAwait(false);
    }
}

/// <summary>The query contract of introspection and userinfo over <c>revoked_access_tokens</c>: one primary-key lookup.</summary>
public sealed class RevokedAccessTokenDirectory(IReadModelStore store)
{
    private readonly string _table = ReadModelSql.LiveTable(RevokedAccessTokensProjection.TableName, RevokedAccessTokensProjection.CurrentVersion);

    public async Task<bool> IsRevokedAsync(string tenantId, string jti, CancellationToken ct = default) =>
        (await ReadModelSql.QueryAsync(store, $"SELECT 1 FROM {_table} WHERE tenant_id = @tenant AND jti = @jti", r => true, ct,
            ("@tenant", tenantId), ("@jti", jti)).ConfigureAwait(false)).Count > 0;
}
