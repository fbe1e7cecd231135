using KoderId.Application.ApiKeys;
using KoderId.Domain;
using KoderId.Domain.ApiKeys;
using KoderId.Projections.ApiKeys;
using KoderId.Server.Auth;
using KoderId.Server.Tenancy;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KoderId.Server.Api;

/// <param name="System">A system key (kept in the default tenant, valid in every tenant); only the system admin may create one.</param>
public sealed record CreateApiKeyRequest(string Name, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt = null, bool System = false);

/// <summary>A key as an admin sees it: never its secret nor its hash.</summary>
public sealed record ApiKeyResponse(
    string Id,
    string TenantId,
    string Name,
    IReadOnlyList<string> Scopes,
    bool System,
    DateTimeOffset? ExpiresAt,
    bool Revoked,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastUsedAt,
    long Version)
{
    public static ApiKeyResponse From(ApiKeyView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(view.KeyId, view.TenantId, view.Name, view.Scopes, view.System, view.ExpiresAt, view.Revoked, view.CreatedAt, view.UpdatedAt,
            view.LastUsedAt, view.Version);
    }
}

/// <summary>The answer to a creation: <paramref name="Key"/> is the full bearer value, shown this once.</summary>
public sealed record ApiKeyCreatedResponse(string Key, ApiKeyResponse ApiKey);

public sealed record ApiKeyListResponse(IReadOnlyList<ApiKeyResponse> Items, string? Next);

/// <summary>
/// <c>/v1/admin/api-keys</c> of the request's tenant: the system admin for any tenant, a key with <c>admin</c>
/// for its own. System keys are the system admin's only; to anyone else they do not exist.
/// </summary>
public static class ApiKeysApi
{
    private const string NotFound = "The API key does not exist.";

    public static RouteGroupBuilder MapApiKeysApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/admin/api-keys").WithTags("API keys")
            .RequireAuthorization(AuthSetup.TenantScope(ApiKeyScopes.Admin, DomainErrors.ApiKeyNotFound, NotFound))
            .RequireTenant(requireActive: false);

        group.MapPost("/", CreateAsync).Accepts<CreateApiKeyRequest>("application/json");
        group.MapGet("/", ListAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapDelete("/{id}", RevokeAsync);
        return group;
    }

    private static async Task<Created<ApiKeyCreatedResponse>> CreateAsync(
        HttpRequest request, TenantContext tenant, IMediator mediator, ApiKeyDirectory keys, CancellationToken ct)
    {
        var body = await ApiJson.ReadAsync<CreateApiKeyRequest>(request, ct);
        if (body.System && !IsSystemAdmin(request.HttpContext))
        {
            throw new DomainException(DomainErrors.ApiKeyScopeNotAllowed, "Only the system admin creates system keys.");
        }

        var created = await mediator.Send(new CreateApiKey(tenant.TenantId, body.Name, body.Scopes, body.ExpiresAt, body.System), ct);
        var view = await keys.GetAsync(created.TenantId, created.KeyId, ct) ?? throw new DomainException(DomainErrors.ApiKeyNotFound, NotFound);
        return TypedResults.Created($"/v1/admin/api-keys/{created.KeyId}", new ApiKeyCreatedResponse(created.Key, ApiKeyResponse.From(view)));
    }

    private static async Task<Ok<ApiKeyListResponse>> ListAsync(HttpContext http, TenantContext tenant, ApiKeyDirectory keys, string? after, string? limit, CancellationToken ct)
    {
        var size = Paging.Limit(limit);
        var page = await keys.ListAsync(tenant.TenantId, after, size + 1, ct);
        var systemAdmin = IsSystemAdmin(http);
        return TypedResults.Ok(new ApiKeyListResponse(
            page.Take(size).Where(k => systemAdmin || !k.System).Select(ApiKeyResponse.From).ToArray(),
            page.Count > size ? page[size - 1].KeyId : null));
    }

    private static async Task<Ok<ApiKeyResponse>> GetAsync(string id, HttpContext http, TenantContext tenant, ApiKeyDirectory keys, CancellationToken ct) =>
        TypedResults.Ok(ApiKeyResponse.From(await RequireAsync(http, keys, tenant.TenantId, id, ct)));

    private static async Task<Ok<ApiKeyResponse>> RevokeAsync(string id, HttpContext http, TenantContext tenant, IMediator mediator, ApiKeyDirectory keys, CancellationToken ct)
    {
        await RequireAsync(http, keys, tenant.TenantId, id, ct);
        await mediator.Send(new RevokeApiKey(tenant.TenantId, id), ct);
        return TypedResults.Ok(ApiKeyResponse.From(await RequireAsync(http, keys, tenant.TenantId, id, ct)));
    }

    /// <summary>The api_keys model is inline: a committed command is visible to the next read.</summary>
    private static async Task<ApiKeyView> RequireAsync(HttpContext http, ApiKeyDirectory keys, string tenantId, string keyId, CancellationToken ct)
    {
        var view = ApiKeyToken.IsKeyId(keyId) ? await keys.GetAsync(tenantId, keyId, ct) : null;
        return view is not null && (!view.System || IsSystemAdmin(http)) ? view : throw new DomainException(DomainErrors.ApiKeyNotFound, NotFound);
    }

    private static bool IsSystemAdmin(HttpContext http) => http.User.IsInRole(AuthSetup.SystemAdminRole);
}
