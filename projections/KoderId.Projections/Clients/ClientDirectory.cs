using System.Collections.Concurrent;
using System.Data.Common;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.Clients;

/// <summary>A client as an admin (or RFC 7592) sees it: never a hash. Lifetimes in seconds, null for the tenant default.</summary>
public sealed record ClientView(
    string TenantId,
    string ClientId,
    string Name,
    string ClientType,
    IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> PostLogoutRedirectUris,
    IReadOnlyList<string> GrantTypes,
    IReadOnlyList<string> ResponseTypes,
    IReadOnlyList<string> Scopes,
    string TokenEndpointAuthMethod,
    string IdTokenSignedResponseAlg,
    bool RequirePkce,
    bool FirstParty,
    string? Jwks,
    string? JwksUri,
    int? AccessTokenLifetime,
    int? RefreshTokenLifetime,
    int? IdTokenLifetime,
    string RegisteredVia,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long Version);

/// <summary>What client authentication needs besides the view: the digests. Only <see cref="ClientDirectory.FindAsync"/> returns it.</summary>
public sealed record ClientRecord(ClientView View, string? SecretHash, string? RegistrationAccessTokenHash)
{
    public string TenantId => View.TenantId;

    public string ClientId => View.ClientId;
}

public sealed class ClientDirectoryOptions
{
    /// <summary>How long a node trusts a cached client. Writes in this process invalidate at once; other nodes see a change within this.</summary>
    public TimeSpan CacheLifetime { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Reads the <c>clients</c> model. <see cref="FindAsync"/> is the protocol's lookup (client_credentials, introspection,
/// authorize) and is served from memory: no database read per request while cached (ADR 0004 "hot paths").
/// The cache is bounded by the number of clients (misses are not cached, so unknown ids cannot grow it).
/// </summary>
public sealed class ClientDirectory : IDisposable
{
    private readonly IReadModelStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly string _clients = ReadModelSql.LiveTable(ClientsProjection.TableName, ClientsProjection.CurrentVersion);
    private readonly ConcurrentDictionary<(string Tenant, string Client), (ClientRecord Record, long Expires)> _cache = new();

    public ClientDirectory(IReadModelStore store, ClientDirectoryOptions? options = null, TimeProvider? time = null)
    {
        _store = store;
        _time = time ?? TimeProvider.System;
        _lifetime = (options ?? new ClientDirectoryOptions()).CacheLifetime;
        ClientCacheSignal.Changed += Invalidate;
    }

    /// <summary>How many lookups went to the database; for tests and metrics.</summary>
    public long DatabaseReads => Interlocked.Read(ref _reads);

    private long _reads;

    /// <summary>The client with its digests, cached; null when the tenant has no such client.</summary>
    public async Task<ClientRecord?> FindAsync(string tenantId, string clientId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(clientId);
        var now = _time.GetTimestamp();
        if (_cache.TryGetValue((tenantId, clientId), out var hit) && hit.Expires > now)
        {
            return hit.Record;
        }

        Interlocked.Increment(ref _reads);
        var record = (await ReadModelSql.QueryAsync(_store,
            $"{Select}, secret_hash, registration_token_hash FROM {_clients} WHERE tenant_id = @tenant AND client_id = @client",
            r => new ClientRecord(Map(r), r.Text(22), r.Text(23)),
            ct, ("@tenant", tenantId), ("@client", clientId)).ConfigureAwait(false)).SingleOrDefault();
        if (record is not null)
        {
            _cache[(tenantId, clientId)] = (record, now + (long)(_lifetime.TotalSeconds * _time.TimestampFrequency));
        }
        else
        {
            _cache.TryRemove((tenantId, clientId), out _);
        }

        return record;
    }

    /// <summary>The client as stored now (uncached: the admin API reads its own writes).</summary>
    public async Task<ClientView?> GetAsync(string tenantId, string clientId, CancellationToken ct = default) =>
        (await ReadModelSql.QueryAsync(_store, $"{Select} FROM {_clients} WHERE tenant_id = @tenant AND client_id = @client", Map, ct,
            ("@tenant", tenantId), ("@client", clientId)).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>A page of the tenant's clients in id order (time-ordered ids: creation order), after <paramref name="afterClientId"/>.</summary>
    public Task<List<ClientView>> ListAsync(string tenantId, string? afterClientId = null, int limit = 100, CancellationToken ct = default) =>
        ReadModelSql.QueryAsync(_store,
            $"{Select} FROM {_clients} WHERE tenant_id = @tenant AND client_id > @after ORDER BY client_id LIMIT @limit",
            Map, ct, ("@tenant", tenantId), ("@after", afterClientId ?? ""), ("@limit", Math.Clamp(limit, 1, 1000)));

    public void Invalidate(string tenantId, string clientId) => _cache.TryRemove((tenantId, clientId), out _);

    public void Dispose() => ClientCacheSignal.Changed -= Invalidate;

    private const string Select =
        "SELECT tenant_id, client_id, name, client_type, redirect_uris, post_logout_redirect_uris, grant_types, response_types, scopes, auth_method, id_token_alg, "
        + "require_pkce, first_party, jwks, jwks_uri, access_ttl, refresh_ttl, id_ttl, registered_via, created_at, updated_at, version";

    private static ClientView Map(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), List(r.GetString(4)), List(r.GetString(5)), List(r.GetString(6)),
        List(r.GetString(7)), List(r.GetString(8)), r.GetString(9), r.GetString(10), r.Bool(11), r.Bool(12), r.Text(13), r.Text(14),
        Seconds(r, 15), Seconds(r, 16), Seconds(r, 17), r.GetString(18), r.Time(19), r.Time(20), r.Long(21));

    private static int? Seconds(DbDataReader r, int i) => r.IsDBNull(i) ? null : (int)r.Long(i);

    private static string[] List(string value) => value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
