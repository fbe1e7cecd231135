using System.Data.Common;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.Passkeys;

/// <summary>A registered passkey as lists show it. The public key is not here: verification reads the user's stream.</summary>
public sealed record PasskeyView(
    string TenantId,
    string CredentialId,
    string UserId,
    string Name,
    int Algorithm,
    string Aaguid,
    IReadOnlyList<string> Transports,
    bool BackupEligible,
    bool BackupState,
    bool Discoverable,
    bool UserVerified,
    long SignCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt);

/// <summary>Reads the <c>passkeys</c> model. Every query is scoped to one tenant.</summary>
public sealed class PasskeyDirectory(IReadModelStore store)
{
    private const string Columns =
        "tenant_id, credential_id, user_id, name, algorithm, aaguid, transports, backup_eligible, backup_state, discoverable, user_verified, sign_count, created_at, last_used_at";

    private readonly string _table = ReadModelSql.LiveTable(PasskeysProjection.TableName, PasskeysProjection.CurrentVersion);

    public async Task<PasskeyView?> GetAsync(string tenantId, string credentialId, CancellationToken ct = default) =>
        (await ReadModelSql.QueryAsync(store, $"SELECT {Columns} FROM {_table} WHERE tenant_id = @tenant AND credential_id = @credential", Map, ct,
            ("@tenant", tenantId), ("@credential", credentialId)).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>The user's passkeys, oldest first.</summary>
    public async Task<IReadOnlyList<PasskeyView>> ListForUserAsync(string tenantId, string userId, CancellationToken ct = default) =>
        await ReadModelSql.QueryAsync(store,
            $"SELECT {Columns} FROM {_table} WHERE tenant_id = @tenant AND user_id = @user ORDER BY created_at, credential_id",
            Map, ct, ("@tenant", tenantId), ("@user", userId)).ConfigureAwait(false);

    private static PasskeyView Map(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        (int)r.Long(4),
        r.GetString(5),
        r.GetString(6).Split(' ', StringSplitOptions.RemoveEmptyEntries),
        r.Bool(7),
        r.Bool(8),
        r.Bool(9),
        r.Bool(10),
        r.Long(11),
        r.Time(12),
        r.NullableTime(13));
}
