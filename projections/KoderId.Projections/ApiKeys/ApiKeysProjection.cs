using KoderId.Events.ApiKeys;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Storage;

namespace KoderId.Projections.ApiKeys;

/// <summary>
/// API keys, inline: a key works on the request after its creation and stops on the request after its
/// revocation. The row keeps the secret's SHA-256 for authentication; <see cref="ApiKeyDirectory"/> never lists it.
/// Scopes are stored space-separated (no scope contains a space).
/// </summary>
public sealed class ApiKeysProjection : SqlProjection
{
    public const string ProjectionName = "api_keys";
    public const string TableName = "api_keys";
    public const int CurrentVersion = 1;

    public ApiKeysProjection()
        : base(ProjectionName, CurrentVersion, ProjectionLifecycle.Inline, TableName)
    {
        On<ApiKeyCreated>((ctx, e, s, ct) => ctx.WriteAsync(
            $"""
            INSERT INTO {ctx.Table(TableName)} (tenant_id, key_id, name, scopes, is_system, secret_hash, expires_at, revoked, created_at, updated_at, version)
            VALUES (@tenant, @key, @name, @scopes, @system, @hash, @expires, 0, @at, @at, @version)
            ON CONFLICT (tenant_id, key_id) DO UPDATE SET name = excluded.name, scopes = excluded.scopes, is_system = excluded.is_system,
                secret_hash = excluded.secret_hash, expires_at = excluded.expires_at, revoked = 0, created_at = excluded.created_at,
                updated_at = excluded.updated_at, version = excluded.version
            """,
            ct,
            ("@tenant", s.TenantId),
            ("@key", e.KeyId),
            ("@name", e.Name),
            ("@scopes", string.Join(' ', e.Scopes)),
            ("@system", ReadModelSql.Flag(e.System)),
            ("@hash", e.SecretHash),
            ("@expires", e.ExpiresAt is { } expires ? ReadModelSql.Micros(expires) : null),
            ("@at", At(s)),
            ("@version", s.StreamVersion)));

        On<ApiKeyRevoked>((ctx, e, s, ct) => ctx.WriteAsync(
            $"UPDATE {ctx.Table(TableName)} SET revoked = 1, updated_at = @at, version = @version WHERE tenant_id = @tenant AND key_id = @key",
            ct,
            ("@at", At(s)),
            ("@version", s.StreamVersion),
            ("@tenant", s.TenantId),
            ("@key", e.KeyId)));
    }

    public override async Task CreateAsync(ProjectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var table = context.Table(TableName);
        await context.ExecuteAsync(
            $"""
            CREATE TABLE {table} (
                tenant_id TEXT NOT NULL,
                key_id TEXT NOT NULL,
                name TEXT NOT NULL,
                scopes TEXT NOT NULL,
                is_system INTEGER NOT NULL,
                secret_hash TEXT NOT NULL,
                expires_at BIGINT NULL,
                revoked INTEGER NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                version BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, key_id))
            """,
            ct).ConfigureAwait(false);
        await context.ExecuteAsync($"CREATE INDEX ix_{table}_key ON {table} (key_id)", ct).ConfigureAwait(false);
    }

    private static long At(StoredEvent s) => ReadModelSql.Micros(s.Metadata.Timestamp);
}
