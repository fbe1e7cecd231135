using System.Data.Common;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.ApiKeys;

/// <summary>What an admin may see of a key: never its hash. <see cref="LastUsedAt"/> is best effort (see <see cref="ApiKeyUsage"/>).</summary>
public sealed record ApiKeyView(
    string TenantId,
    string KeyId,
    string Name,
    IReadOnlyList<string> Scopes,
    bool System,
    DateTimeOffset? ExpiresAt,
    bool Revoked,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastUsedAt,
    long Version);

/// <summary>What authentication needs of a key, its hash included. Only <see cref="ApiKeyDirectory.FindForAuthenticationAsync"/> returns it.</summary>
public sealed record ApiKeyCredential(string TenantId, string KeyId, IReadOnlyList<string> Scopes, bool System, DateTimeOffset? ExpiresAt, bool Revoked, string SecretHash);

/// <summary>Reads the <c>api_keys</c> model. Reads only: authenticating with a key appends nothing to the log.</summary>
public sealed class ApiKeyDirectory(IReadModelStore store, ApiKeyUsage usage)
{
    private readonly string _keys = ReadModelSql.LiveTable(ApiKeysProjection.TableName, ApiKeysProjection.CurrentVersion);

    /// <summary>The key by id across tenants (the presented key names no tenant); null when unknown or the id is ambiguous.</summary>
    public async Task<ApiKeyCredential?> FindForAuthenticationAsync(string keyId, CancellationToken ct = default)
    {
        var rows = await ReadModelSql.QueryAsync(store,
            $"SELECT tenant_id, key_id, scopes, is_system, expires_at, revoked, secret_hash FROM {_keys} WHERE key_id = @key LIMIT 2",
            r => new ApiKeyCredential(r.GetString(0), r.GetString(1), Scopes(r.GetString(2)), r.Bool(3), r.NullableTime(4), r.Bool(5), r.GetString(6)),
            ct, ("@key", keyId)).ConfigureAwait(false);
        return rows.Count == 1 ? rows[0] : null;
    }

    public async Task<ApiKeyView?> GetAsync(string tenantId, string keyId, CancellationToken ct = default)
    {
        await usage.EnsureTableAsync(ct).ConfigureAwait(false);
        return (await ReadModelSql.QueryAsync(store, $"{Select} WHERE k.tenant_id = @tenant AND k.key_id = @key", Map, ct,
            ("@tenant", tenantId), ("@key", keyId)).ConfigureAwait(false)).SingleOrDefault();
    }

    /// <summary>A page of the tenant's keys in id order (time-ordered ids: creation order), after <paramref name="afterKeyId"/>.</summary>
    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(string tenantId, string? afterKeyId = null, int limit = 100, CancellationToken ct = default)
    {
        await usage.EnsureTableAsync(ct).ConfigureAwait(false);
        return await ReadModelSql.QueryAsync(store,
            $"{Select} WHERE k.tenant_id = @tenant AND k.key_id > @after ORDER BY k.key_id LIMIT @limit",
            Map, ct, ("@tenant", tenantId), ("@after", afterKeyId ?? ""), ("@limit", Math.Clamp(limit, 1, 1000))).ConfigureAwait(false);
    }

    private string Select =>
        $"""
        SELECT k.tenant_id, k.key_id, k.name, k.scopes, k.is_system, k.expires_at, k.revoked, k.created_at, k.updated_at, u.last_used_at, k.version
        FROM {_keys} k LEFT JOIN {ApiKeyUsage.TableName} u ON u.key_id = k.key_id
        """;

    private static ApiKeyView Map(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), Scopes(r.GetString(3)), r.Bool(4), r.NullableTime(5), r.Bool(6), r.Time(7), r.Time(8), r.NullableTime(9), r.Long(10));

    private static string[] Scopes(string value) => value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
