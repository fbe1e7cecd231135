using KoderId.Events.Keys;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Storage;

namespace KoderId.Projections.Keys;

/// <summary>
/// The tenants' signing keys, public halves only, inline: a key is in JWKS on the request after its rotation
/// committed. A retired key keeps its row with <c>retired_at</c> (its successor's activation) and <c>expires_at</c>
/// (when the last token it signed expires); JWKS and signing filter by time, so no event is needed for either.
/// </summary>
public sealed class SigningKeysProjection : SqlProjection
{
    public const string ProjectionName = "signing_keys";
    public const string TableName = "signing_keys";
    public const int CurrentVersion = 1;

    private static long _changes;

    public SigningKeysProjection()
        : base(ProjectionName, CurrentVersion, ProjectionLifecycle.Inline, TableName)
    {
        On<KeyRotated>(async (ctx, e, s, ct) =>
        {
            NotifyChanged();
            if (e.RetiredKeyId is { } retired)
            {
                await ctx.WriteAsync(
                    $"UPDATE {ctx.Table(TableName)} SET retired_at = @retired, expires_at = @expires, version = @version WHERE tenant_id = @tenant AND key_id = @key",
                    ct,
                    ("@retired", ReadModelSql.Micros(e.ActivatesAt)),
                    ("@expires", e.RetiredKeyExpiresAt is { } expires ? ReadModelSql.Micros(expires) : null),
                    ("@version", s.StreamVersion),
                    ("@tenant", s.TenantId),
                    ("@key", retired)).ConfigureAwait(false);
            }

            await ctx.WriteAsync(
                $"""
                INSERT INTO {ctx.Table(TableName)} (tenant_id, key_id, algorithm, kty, crv, x, y, n, e, private_key_ref, published_at, activates_at, retired_at, expires_at, version)
                VALUES (@tenant, @key, @alg, @kty, @crv, @x, @y, @n, @e, @ref, @published, @activates, NULL, NULL, @version)
                ON CONFLICT (tenant_id, key_id) DO NOTHING
                """,
                ct,
                ("@tenant", s.TenantId),
                ("@key", e.KeyId),
                ("@alg", e.Algorithm),
                ("@kty", e.PublicKey.Kty),
                ("@crv", e.PublicKey.Crv),
                ("@x", e.PublicKey.X),
                ("@y", e.PublicKey.Y),
                ("@n", e.PublicKey.N),
                ("@e", e.PublicKey.E),
                ("@ref", e.PrivateKeyRef),
                ("@published", ReadModelSql.Micros(s.Metadata.Timestamp)),
                ("@activates", ReadModelSql.Micros(e.ActivatesAt)),
                ("@version", s.StreamVersion)).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// Bumped whenever a key event is applied in this process (and by the writer once its append committed):
    /// <see cref="SigningKeyDirectory"/> drops its cache when it moves. Other nodes rely on the cache's short expiry.
    /// </summary>
    public static long Changes => Interlocked.Read(ref _changes);

    public static void NotifyChanged() => Interlocked.Increment(ref _changes);

    public override async Task CreateAsync(ProjectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var table = context.Table(TableName);
        await context.ExecuteAsync(
            $"""
            CREATE TABLE {table} (
                tenant_id TEXT NOT NULL,
                key_id TEXT NOT NULL,
                algorithm TEXT NOT NULL,
                kty TEXT NOT NULL,
                crv TEXT NULL,
                x TEXT NULL,
                y TEXT NULL,
                n TEXT NULL,
                e TEXT NULL,
                private_key_ref TEXT NOT NULL,
                published_at BIGINT NOT NULL,
                activates_at BIGINT NOT NULL,
                retired_at BIGINT NULL,
                expires_at BIGINT NULL,
                version BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, key_id))
            """,
            ct).ConfigureAwait(false);
    }
}
