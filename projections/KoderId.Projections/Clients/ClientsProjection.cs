using KoderId.Events.Clients;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Storage;

namespace KoderId.Projections.Clients;

/// <summary>
/// OAuth clients, inline: a client authenticates on the request after its registration and stops on the request
/// after its deletion (the row is removed). The row keeps the secret's and the registration token's SHA-256 for
/// authentication; <see cref="ClientView"/> never shows them. Lists are stored space-separated (validated URIs,
/// grant types and scope tokens hold no space). Every applied event also drops the client from this process's
/// <see cref="ClientDirectory"/> caches (ADR 0004: the hot path reads a cache, the write path invalidates it).
/// </summary>
public sealed class ClientsProjection : SqlProjection
{
    public const string ProjectionName = "clients";
    public const string TableName = "clients";
    public const int CurrentVersion = 1;

    private const string MetadataColumns =
        "name, client_type, redirect_uris, post_logout_redirect_uris, grant_types, response_types, scopes, auth_method, id_token_alg, require_pkce, first_party, jwks, jwks_uri, access_ttl, refresh_ttl, id_ttl";

    public ClientsProjection()
        : base(ProjectionName, CurrentVersion, ProjectionLifecycle.Inline, TableName)
    {
        On<ClientRegistered>((ctx, e, s, ct) =>
        {
            ClientCacheSignal.Raise(s.TenantId, e.ClientId);
            return ctx.WriteAsync(
                $"""
                INSERT INTO {ctx.Table(TableName)} (tenant_id, client_id, {MetadataColumns}, registered_via, secret_hash, registration_token_hash, created_at, updated_at, version)
                VALUES (@tenant, @client, @name, @type, @redirects, @logout, @grants, @responses, @scopes, @method, @alg, @pkce, @first, @jwks, @jwksUri, @access, @refresh, @id,
                        @via, @secret, @registration, @at, @at, @version)
                ON CONFLICT (tenant_id, client_id) DO NOTHING
                """,
                ct,
                [
                    ("@tenant", s.TenantId), ("@client", e.ClientId),
                    .. Metadata(e.Name, e.ClientType, e.RedirectUris, e.PostLogoutRedirectUris, e.GrantTypes, e.ResponseTypes, e.Scopes, e.TokenEndpointAuthMethod,
                        e.IdTokenSignedResponseAlg, e.RequirePkce, e.FirstParty, e.Jwks, e.JwksUri, e.AccessTokenLifetime, e.RefreshTokenLifetime, e.IdTokenLifetime),
                    ("@via", e.RegisteredVia), ("@secret", e.SecretHash), ("@registration", e.RegistrationAccessTokenHash),
                    ("@at", At(s)), ("@version", s.StreamVersion),
                ]);
        });

        On<ClientUpdated>((ctx, e, s, ct) =>
        {
            ClientCacheSignal.Raise(s.TenantId, e.ClientId);
            return ctx.WriteAsync(
                $"""
                UPDATE {ctx.Table(TableName)} SET name = @name, client_type = @type, redirect_uris = @redirects, post_logout_redirect_uris = @logout,
                    grant_types = @grants, response_types = @responses, scopes = @scopes, auth_method = @method, id_token_alg = @alg, require_pkce = @pkce,
                    first_party = @first, jwks = @jwks, jwks_uri = @jwksUri, access_ttl = @access, refresh_ttl = @refresh, id_ttl = @id,
                    updated_at = @at, version = @version
                WHERE tenant_id = @tenant AND client_id = @client
                """,
                ct,
                [
                    ("@tenant", s.TenantId), ("@client", e.ClientId),
                    .. Metadata(e.Name, e.ClientType, e.RedirectUris, e.PostLogoutRedirectUris, e.GrantTypes, e.ResponseTypes, e.Scopes, e.TokenEndpointAuthMethod,
                        e.IdTokenSignedResponseAlg, e.RequirePkce, e.FirstParty, e.Jwks, e.JwksUri, e.AccessTokenLifetime, e.RefreshTokenLifetime, e.IdTokenLifetime),
                    ("@at", At(s)), ("@version", s.StreamVersion),
                ]);
        });

        On<ClientSecretRotated>((ctx, e, s, ct) =>
        {
            ClientCacheSignal.Raise(s.TenantId, e.ClientId);
            return ctx.WriteAsync(
                $"UPDATE {ctx.Table(TableName)} SET secret_hash = @secret, updated_at = @at, version = @version WHERE tenant_id = @tenant AND client_id = @client",
                ct,
                ("@secret", e.SecretHash), ("@at", At(s)), ("@version", s.StreamVersion), ("@tenant", s.TenantId), ("@client", e.ClientId));
        });

        On<ClientDeleted>((ctx, e, s, ct) =>
        {
            ClientCacheSignal.Raise(s.TenantId, e.ClientId);
            return ctx.WriteAsync(
                $"DELETE FROM {ctx.Table(TableName)} WHERE tenant_id = @tenant AND client_id = @client", ct, ("@tenant", s.TenantId), ("@client", e.ClientId));
        });
    }

    public override async Task CreateAsync(ProjectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.ExecuteAsync(
            $"""
            CREATE TABLE {context.Table(TableName)} (
                tenant_id TEXT NOT NULL,
                client_id TEXT NOT NULL,
                name TEXT NOT NULL,
                client_type TEXT NOT NULL,
                redirect_uris TEXT NOT NULL,
                post_logout_redirect_uris TEXT NOT NULL,
                grant_types TEXT NOT NULL,
                response_types TEXT NOT NULL,
                scopes TEXT NOT NULL,
                auth_method TEXT NOT NULL,
                id_token_alg TEXT NOT NULL,
                require_pkce INTEGER NOT NULL,
                first_party INTEGER NOT NULL,
                jwks TEXT NULL,
                jwks_uri TEXT NULL,
                access_ttl INTEGER NULL,
                refresh_ttl INTEGER NULL,
                id_ttl INTEGER NULL,
                registered_via TEXT NOT NULL,
                secret_hash TEXT NULL,
                registration_token_hash TEXT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                version BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, client_id))
            """,
            ct).ConfigureAwait(false);
    }

    private static (string, object?)[] Metadata(
        string name, string type, IReadOnlyList<string> redirects, IReadOnlyList<string> logout, IReadOnlyList<string> grants, IReadOnlyList<string> responses,
        IReadOnlyList<string> scopes, string method, string alg, bool pkce, bool firstParty, string? jwks, string? jwksUri, int? access, int? refresh, int? id) =>
    [
        ("@name", name), ("@type", type), ("@redirects", string.Join(' ', redirects)), ("@logout", string.Join(' ', logout)),
        ("@grants", string.Join(' ', grants)), ("@responses", string.Join(' ', responses)), ("@scopes", string.Join(' ', scopes)),
        ("@method", method), ("@alg", alg), ("@pkce", ReadModelSql.Flag(pkce)), ("@first", ReadModelSql.Flag(firstParty)),
        ("@jwks", jwks), ("@jwksUri", jwksUri), ("@access", access), ("@refresh", refresh), ("@id", id),
    ];

    private static long At(StoredEvent s) => ReadModelSql.Micros(s.Metadata.Timestamp);
}

/// <summary>
/// In-process "this client changed" notice, raised by <see cref="ClientsProjection"/> while it applies an event.
/// Static because the projection instances are built by <see cref="ProjectionCatalog"/> outside any container; a
/// notice from another host in the same process only costs that host a cache miss.
/// </summary>
public static class ClientCacheSignal
{
    public static event Action<string, string>? Changed;

    public static void Raise(string tenantId, string clientId) => Changed?.Invoke(tenantId, clientId);
}
