using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Application.Clients;
using KoderId.Domain;
using KoderId.Domain.ApiKeys;
using KoderId.Domain.Clients;
using KoderId.Projections.Clients;
using KoderId.Server.Auth;
using KoderId.Server.Tenancy;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KoderId.Server.Api;

/// <summary>
/// A client's metadata as the admin API takes it (camelCase). Absent or null members take their defaults:
/// confidential with <c>client_secret_basic</c>, <c>authorization_code</c>, scopes <c>openid profile email</c>,
/// RS256 ID tokens, PKCE required. Lifetimes are seconds; <paramref name="Jwks"/> is a JWK set object.
/// </summary>
public sealed record ClientRequest(
    string? Name = null,
    string? Type = null,
    IReadOnlyList<string>? RedirectUris = null,
    IReadOnlyList<string>? PostLogoutRedirectUris = null,
    IReadOnlyList<string>? GrantTypes = null,
    IReadOnlyList<string>? ResponseTypes = null,
    IReadOnlyList<string>? Scopes = null,
    string? TokenEndpointAuthMethod = null,
    JsonElement? Jwks = null,
    string? JwksUri = null,
    int? AccessTokenLifetime = null,
    int? RefreshTokenLifetime = null,
    int? IdTokenLifetime = null,
    bool? FirstParty = null,
    string? IdTokenSignedResponseAlg = null,
    bool? RequirePkce = null)
{
    public ClientDraft ToDraft() => new(
        Name, Type, RedirectUris, PostLogoutRedirectUris, GrantTypes, ResponseTypes, Scopes, TokenEndpointAuthMethod,
        Jwks is { ValueKind: not JsonValueKind.Null } jwks ? jwks.GetRawText() : null,
        JwksUri, AccessTokenLifetime, RefreshTokenLifetime, IdTokenLifetime, FirstParty, IdTokenSignedResponseAlg, RequirePkce);
}

/// <summary>A client as an admin sees it: never its secret nor a hash.</summary>
public sealed record ClientResponse(
    string Id,
    string TenantId,
    string Name,
    string Type,
    IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> PostLogoutRedirectUris,
    IReadOnlyList<string> GrantTypes,
    IReadOnlyList<string> ResponseTypes,
    IReadOnlyList<string> Scopes,
    string TokenEndpointAuthMethod,
    JsonElement? Jwks,
    string? JwksUri,
    int? AccessTokenLifetime,
    int? RefreshTokenLifetime,
    int? IdTokenLifetime,
    bool FirstParty,
    string IdTokenSignedResponseAlg,
    bool RequirePkce,
    string RegisteredVia,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long Version)
{
    public static ClientResponse From(ClientView v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return new(v.ClientId, v.TenantId, v.Name, v.ClientType, v.RedirectUris, v.PostLogoutRedirectUris, v.GrantTypes, v.ResponseTypes, v.Scopes,
            v.TokenEndpointAuthMethod, v.Jwks is null ? null : JsonDocument.Parse(v.Jwks).RootElement.Clone(), v.JwksUri, v.AccessTokenLifetime,
            v.RefreshTokenLifetime, v.IdTokenLifetime, v.FirstParty, v.IdTokenSignedResponseAlg, v.RequirePkce, v.RegisteredVia, v.CreatedAt, v.UpdatedAt, v.Version);
    }

    /// <summary>The request that would create this client as it is: the base a merge patch applies to.</summary>
    public JsonObject ToRequest() => new()
    {
        ["name"] = Name,
        ["type"] = Type,
        ["redirectUris"] = Strings(RedirectUris),
        ["postLogoutRedirectUris"] = Strings(PostLogoutRedirectUris),
        ["grantTypes"] = Strings(GrantTypes),
        ["responseTypes"] = Strings(ResponseTypes),
        ["scopes"] = Strings(Scopes),
        ["tokenEndpointAuthMethod"] = TokenEndpointAuthMethod,
        ["jwks"] = Jwks is { } jwks ? JsonNode.Parse(jwks.GetRawText()) : null,
        ["jwksUri"] = JwksUri,
        ["accessTokenLifetime"] = AccessTokenLifetime,
        ["refreshTokenLifetime"] = RefreshTokenLifetime,
        ["idTokenLifetime"] = IdTokenLifetime,
        ["firstParty"] = FirstParty,
        ["idTokenSignedResponseAlg"] = IdTokenSignedResponseAlg,
        ["requirePkce"] = RequirePkce,
    };

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
}

/// <summary>The answer to a creation or a rotation: <paramref name="ClientSecret"/> is shown this once (null for a client without a secret).</summary>
public sealed record ClientSecretResponse(string? ClientSecret, ClientResponse Client);

public sealed record ClientListResponse(IReadOnlyList<ClientResponse> Items, string? Next);

/// <summary>
/// <c>/v1/admin/clients</c> of the request's tenant (X-Tenant-ID): the system admin, a tenant key with <c>admin</c>,
/// or <c>clients:read</c> / <c>clients:write</c>. Another tenant's client is a 404 (KID1200) like an unknown id.
/// Responses that carry a secret are <c>Cache-Control: no-store</c>.
/// </summary>
public static class ClientsApi
{
    private const string NotFound = "The client does not exist.";

    public static RouteGroupBuilder MapClientsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/admin/clients").WithTags("Clients").RequireTenant(requireActive: false);
        var reads = group.MapGroup("").RequireAuthorization(AuthSetup.TenantScope(ApiKeyScopes.ClientsRead, DomainErrors.ClientNotFound, NotFound));
        var writes = group.MapGroup("").RequireAuthorization(AuthSetup.TenantScope(ApiKeyScopes.ClientsWrite, DomainErrors.ClientNotFound, NotFound));

        writes.MapPost("/", CreateAsync).Accepts<ClientRequest>("application/json");
        reads.MapGet("/", ListAsync);
        reads.MapGet("/{id}", async (string id, TenantContext tenant, ClientDirectory clients, CancellationToken ct) =>
            TypedResults.Ok(ClientResponse.From(await RequireAsync(clients, tenant.TenantId, id, ct))));
        writes.MapPatch("/{id}", PatchAsync).Accepts<ClientRequest>(ApiJson.MergePatch, "application/json");
        writes.MapDelete("/{id}", DeleteAsync);
        writes.MapPost("/{id}/secret", RotateAsync);
        return group;
    }

    private static async Task<Created<ClientSecretResponse>> CreateAsync(
        HttpRequest request, TenantContext tenant, IMediator mediator, ClientDirectory clients, CancellationToken ct)
    {
        var body = await ApiJson.ReadAsync<ClientRequest>(request, ct);
        var created = await mediator.Send(new RegisterClient(tenant.TenantId, body.ToDraft()), ct);
        clients.Invalidate(tenant.TenantId, created.ClientId);
        NoStore(request.HttpContext);
        var view = await RequireAsync(clients, tenant.TenantId, created.ClientId, ct);
        return TypedResults.Created($"/v1/admin/clients/{created.ClientId}", new ClientSecretResponse(created.ClientSecret, ClientResponse.From(view)));
    }

    private static async Task<Ok<ClientListResponse>> ListAsync(TenantContext tenant, ClientDirectory clients, string? after, string? limit, CancellationToken ct)
    {
        var size = Paging.Limit(limit);
        var page = await clients.ListAsync(tenant.TenantId, after, size + 1, ct);
        return TypedResults.Ok(new ClientListResponse(
            page.Take(size).Select(ClientResponse.From).ToArray(),
            page.Count > size ? page[size - 1].ClientId : null));
    }

    /// <summary>RFC 7396 over the client's current request form; the result is validated as a whole, like a creation.</summary>
    private static async Task<Ok<ClientResponse>> PatchAsync(
        string id, HttpRequest request, TenantContext tenant, IMediator mediator, ClientDirectory clients, CancellationToken ct)
    {
        var current = ClientResponse.From(await RequireAsync(clients, tenant.TenantId, id, ct));
        using var document = await ApiJson.ReadDocumentAsync(request, ct, ApiJson.MergePatch, "application/json");
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw ApiJson.Malformed("The body must be a JSON object.");
        }

        var declared = ApiJson.Options.GetTypeInfo(typeof(ClientRequest)).Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var merged = current.ToRequest();
        foreach (var member in document.RootElement.EnumerateObject())
        {
            if (!declared.Contains(member.Name))
            {
                throw ApiJson.UnknownField(member.Name);
            }

            merged[member.Name] = JsonNode.Parse(member.Value.GetRawText());
        }

        ClientRequest body;
        try
        {
            body = merged.Deserialize<ClientRequest>(ApiJson.Options) ?? throw ApiJson.Malformed("The body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw ApiJson.Malformed(ex.Path is null ? "The body does not fit the expected shape." : $"The member at {ex.Path} has the wrong type.");
        }

        await mediator.Send(new UpdateClient(tenant.TenantId, id, body.ToDraft()), ct);
        clients.Invalidate(tenant.TenantId, id);
        return TypedResults.Ok(ClientResponse.From(await RequireAsync(clients, tenant.TenantId, id, ct)));
    }

    private static async Task<NoContent> DeleteAsync(string id, TenantContext tenant, IMediator mediator, ClientDirectory clients, CancellationToken ct)
    {
        await RequireAsync(clients, tenant.TenantId, id, ct);
        await mediator.Send(new DeleteClient(tenant.TenantId, id), ct);
        clients.Invalidate(tenant.TenantId, id);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ClientSecretResponse>> RotateAsync(
        string id, HttpContext http, TenantContext tenant, IMediator mediator, ClientDirectory clients, CancellationToken ct)
    {
        await RequireAsync(clients, tenant.TenantId, id, ct);
        var rotated = await mediator.Send(new RotateClientSecret(tenant.TenantId, id), ct);
        clients.Invalidate(tenant.TenantId, id);
        NoStore(http);
        return TypedResults.Ok(new ClientSecretResponse(rotated.ClientSecret, ClientResponse.From(await RequireAsync(clients, tenant.TenantId, id, ct))));
    }

    /// <summary>The clients model is inline: a committed command is visible to the next read.</summary>
    private static async Task<ClientView> RequireAsync(ClientDirectory clients, string tenantId, string clientId, CancellationToken ct) =>
        (ClientSecrets.IsClientId(clientId) ? await clients.GetAsync(tenantId, clientId, ct) : null)
        ?? throw new DomainException(DomainErrors.ClientNotFound, NotFound);

    private static void NoStore(HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
    }
}
