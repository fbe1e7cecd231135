using KoderId.Events.Passkeys;
using KoderId.Events.Users;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Serialization;

namespace KoderId.Projections.Passkeys;

/// <summary>
/// Registered passkeys, inline: a username-less sign-in finds the user from the credential id alone, right after
/// the registration committed. Keyed by (tenant, credential id), so a credential id presented at another tenant
/// finds nothing. The public key stays in the event stream, which the sign-in reads to verify (the counter must
/// be read where it is written); this model holds what lists and the lookup need. Erasing a user leaves the
/// names as a rebuild would read them: erased.
/// </summary>
public sealed class PasskeysProjection : SqlProjection
{
    public const string ProjectionName = "passkeys";
    public const string TableName = "passkeys";
    public const int CurrentVersion = 1;

    public PasskeysProjection()
        : base(ProjectionName, CurrentVersion, ProjectionLifecycle.Inline, TableName)
    {
        On<PasskeyRegistered>((ctx, e, s, ct) => ctx.WriteAsync(
            $"""
            INSERT INTO {ctx.Table(TableName)} (tenant_id, credential_id, user_id, name, algorithm, aaguid, transports, backup_eligible,
                backup_state, discoverable, user_verified, sign_count, created_at, last_used_at, version)
            VALUES (@tenant, @credential, @user, @name, @alg, @aaguid, @transports, @be, @bs, @discoverable, @uv, @count, @at, NULL, @version)
            ON CONFLICT (tenant_id, credential_id) DO UPDATE SET user_id = excluded.user_id, name = excluded.name, algorithm = excluded.algorithm,
                aaguid = excluded.aaguid, transports = excluded.transports, backup_eligible = excluded.backup_eligible,
                backup_state = excluded.backup_state, discoverable = excluded.discoverable, user_verified = excluded.user_verified,
                sign_count = excluded.sign_count, created_at = excluded.created_at, last_used_at = NULL, version = excluded.version
            """,
            ct,
            ("@tenant", s.TenantId),
            ("@credential", e.CredentialId),
            ("@user", e.UserId),
            ("@name", e.Name),
            ("@alg", e.Algorithm),
            ("@aaguid", e.Aaguid),
            ("@transports", string.Join(' ', e.Transports)),
            ("@be", ReadModelSql.Flag(e.BackupEligible)),
            ("@bs", ReadModelSql.Flag(e.BackupState)),
            ("@discoverable", ReadModelSql.Flag(e.Discoverable)),
            ("@uv", ReadModelSql.Flag(e.UserVerified)),
            ("@count", e.SignCount),
            ("@at", ReadModelSql.Micros(s.Metadata.Timestamp)),
            ("@version", s.StreamVersion)));

        On<PasskeyUsed>((ctx, e, s, ct) => ctx.WriteAsync(
            $"""
            UPDATE {ctx.Table(TableName)} SET sign_count = @count, backup_state = @bs, last_used_at = @at, version = @version,
                user_verified = CASE WHEN @uv = 1 THEN 1 ELSE user_verified END
            WHERE tenant_id = @tenant AND credential_id = @credential
            """,
            ct,
            ("@count", e.SignCount),
            ("@bs", ReadModelSql.Flag(e.BackupState)),
            ("@uv", ReadModelSql.Flag(e.UserVerified)),
            ("@at", ReadModelSql.Micros(s.Metadata.Timestamp)),
            ("@version", s.StreamVersion),
            ("@tenant", s.TenantId),
            ("@credential", e.CredentialId)));

        On<PasskeyRenamed>((ctx, e, s, ct) => ctx.WriteAsync(
            $"UPDATE {ctx.Table(TableName)} SET name = @name, version = @version WHERE tenant_id = @tenant AND credential_id = @credential",
            ct,
            ("@name", e.Name),
            ("@version", s.StreamVersion),
            ("@tenant", s.TenantId),
            ("@credential", e.CredentialId)));

        On<PasskeyRemoved>((ctx, e, s, ct) => ctx.WriteAsync(
            $"DELETE FROM {ctx.Table(TableName)} WHERE tenant_id = @tenant AND credential_id = @credential",
            ct,
            ("@tenant", s.TenantId),
            ("@credential", e.CredentialId)));

        On<UserErased>((ctx, e, s, ct) => ctx.WriteAsync(
            $"UPDATE {ctx.Table(TableName)} SET name = @erased WHERE tenant_id = @tenant AND user_id = @user",
            ct,
            ("@erased", PersonalData.Erased),
            ("@tenant", s.TenantId),
            ("@user", e.UserId)));
    }

    public override async Task CreateAsync(ProjectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var passkeys = context.Table(TableName);
        await context.ExecuteAsync(
            $"""
            CREATE TABLE {passkeys} (
                tenant_id TEXT NOT NULL,
                credential_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                name TEXT NOT NULL,
                algorithm INTEGER NOT NULL,
                aaguid TEXT NOT NULL,
                transports TEXT NOT NULL,
                backup_eligible INTEGER NOT NULL,
                backup_state INTEGER NOT NULL,
                discoverable INTEGER NOT NULL,
                user_verified INTEGER NOT NULL,
                sign_count BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                last_used_at BIGINT,
                version BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, credential_id))
            """,
            ct).ConfigureAwait(false);
        await context.ExecuteAsync($"CREATE INDEX ix_{passkeys}_user ON {passkeys} (tenant_id, user_id)", ct).ConfigureAwait(false);
    }
}
