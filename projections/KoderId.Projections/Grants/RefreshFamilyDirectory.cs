using System.Buffers;
using System.Buffers.Text;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.Grants;

public sealed record RefreshFamilyView(
    string TenantId,
    string FamilyId,
    string SessionId,
    string ClientId,
    string UserId,
    string Scope,
    DateTimeOffset AuthTime,
    IReadOnlyList<string> AuthMethods,
    string? Acr,
    long Generation,
    DateTimeOffset StartedAt,
    DateTimeOffset LastUsedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    string? RevokeReason,
    long Version)
{
    /// <summary>Neither revoked (itself or through its session) nor expired.</summary>
    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && now < ExpiresAt;
}

/// <summary>The query contract of introspection over <c>refresh_families</c>. Every query is scoped to one tenant.</summary>
public sealed class RefreshFamilyDirectory(IReadModelStore store)
{
    private const string Columns =
        "tenant_id, family_id, session_id, client_id, user_id, scope, auth_time, amr, acr, generation, started_at, last_used_at, expires_at, revoked_at, revoke_reason, version";

    private readonly string _table = ReadModelSql.LiveTable(RefreshFamiliesProjection.TableName, RefreshFamiliesProjection.CurrentVersion);

    public async Task<RefreshFamilyView?> GetAsync(string tenantId, string familyId, CancellationToken ct = default) =>
        (await ReadModelSql.QueryAsync(store, $"SELECT {Columns} FROM {_table} WHERE tenant_id = @tenant AND family_id = @family", Map, ct,
            ("@tenant", tenantId), ("@family", familyId)).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>The family when active at <paramref name="now"/>; null for unknown, revoked, expired or another tenant's alike.</summary>
    public async Task<RefreshFamilyView?> GetActiveAsync(string tenantId, string familyId, DateTimeOffset now, CancellationToken ct = default) =>
        await GetAsync(tenantId, familyId, ct).ConfigureAwait(false) is { } view && view.IsActiveAt(now) ? view : null;

    /// <summary>
    /// The family of a refresh token <c>{familyId}.{secret}</c> when it is active at <paramref name="now"/> and the
    /// secret is its current generation: SHA-256 of the secret compared with the stored hash in constant time.
    /// Null for a rotated-out, unknown, revoked, expired or other tenant's token alike (introspection).
    /// </summary>
    public async Task<RefreshFamilyView?> ValidateCurrentAsync(string tenantId, string familyId, string secret, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var rows = await ReadModelSql.QueryAsync(store, $"SELECT {Columns}, token_hash FROM {_table} WHERE tenant_id = @tenant AND family_id = @family",
            r => (View: Map(r), Hash: r.Text(16)), ct, ("@tenant", tenantId), ("@family", familyId)).ConfigureAwait(false);
        if (rows.Count != 1)
        {
            return null;
        }

        var (view, hash) = rows[0];
        Span<byte> stored = stackalloc byte[SHA256.HashSizeInBytes];
        var decoded = hash is not null
            && Base64Url.DecodeFromChars(hash, stored, out _, out var written) == OperationStatus.Done
            && written == stored.Length;
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        var matches = CryptographicOperations.FixedTimeEquals(presented, stored) && decoded;
        return matches && view.IsActiveAt(now) ? view : null;
    }

    /// <summary>The session's families that are active at <paramref name="now"/>.</summary>
    public async Task<IReadOnlyList<RefreshFamilyView>> ListActiveForSessionAsync(string tenantId, string sessionId, DateTimeOffset now, CancellationToken ct = default) =>
        await ReadModelSql.QueryAsync(store,
            $"""
            SELECT {Columns} FROM {_table}
            WHERE tenant_id = @tenant AND session_id = @session AND revoked_at IS NULL AND expires_at > @now
            ORDER BY started_at, family_id
            """,
            Map, ct, ("@tenant", tenantId), ("@session", sessionId), ("@now", ReadModelSql.Micros(now))).ConfigureAwait(false);

    private static RefreshFamilyView Map(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        r.GetString(4),
        r.GetString(5),
        r.Time(6),
        r.GetString(7).Split(' ', StringSplitOptions.RemoveEmptyEntries),
        r.Text(8),
        r.Long(9),
        r.Time(10),
        r.Time(11),
        r.Time(12),
        r.NullableTime(13),
        r.Text(14),
        r.Long(15));
}
