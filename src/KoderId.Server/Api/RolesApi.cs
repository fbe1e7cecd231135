using KoderId.Application.Roles;
using KoderId.Domain;
using KoderId.Domain.ApiKeys;
using KoderId.Projections.Roles;
using KoderId.Projections.Users;
using KoderId.Server.Auth;
using KoderId.Server.Tenancy;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KoderId.Server.Api;

public sealed record CreateRoleRequest(string Name, string? Id = null);

public sealed record RoleResponse(string Id, string TenantId, string Name, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long Version)
{
    public static RoleResponse From(RoleView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(view.RoleId, view.TenantId, view.Name, view.CreatedAt, view.UpdatedAt, view.Version);
    }
}

public sealed record RoleListResponse(IReadOnlyList<RoleResponse> Items, string? Next);

public sealed record EffectiveRolesResponse(string UserId, IReadOnlyList<RoleResponse> Items);

/// <summary><c>/v1/roles</c> of the request's tenant, and a user's effective roles (direct and through groups).</summary>
public static class RolesApi
{
    public static IEndpointRouteBuilder MapRolesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/roles").WithTags("Roles").RequireTenant(requireActive: true);
        // The system admin, or a key of the request's tenant with the scope (admin implies it); another tenant's
        // key gets the not-found answer for an id and 403 on the collection (as /v1/users).
        var reads = group.MapGroup("").RequireAuthorization(AuthSetup.TenantScope(ApiKeyScopes.RolesRead, DomainErrors.RoleNotFound, "The role does not exist."));
        var writes = group.MapGroup("").RequireAuthorization(AuthSetup.TenantScope(ApiKeyScopes.RolesWrite, DomainErrors.RoleNotFound, "The role does not exist."));

        writes.MapPost("/", CreateAsync).Accepts<CreateRoleRequest>("application/json");
        reads.MapGet("/", ListAsync);
        reads.MapGet("/{id}", async (string id, TenantContext tenant, RoleDirectory roles, CancellationToken ct) =>
            TypedResults.Ok(await RequireAsync(roles, tenant.TenantId, id, ct)));
        writes.MapDelete("/{id}", (string id, TenantContext tenant, IMediator mediator, CancellationToken ct) =>
            NoContentAsync(mediator.Send(new DeleteRole(tenant.TenantId, id), ct)));
        writes.MapPut("/{id}/users/{userId}", (string id, string userId, TenantContext tenant, IMediator mediator, CancellationToken ct) =>
            NoContentAsync(mediator.Send(new AssignRoleToUser(tenant.TenantId, id, userId), ct)));
        writes.MapDelete("/{id}/users/{userId}", (string id, string userId, TenantContext tenant, IMediator mediator, CancellationToken ct) =>
            NoContentAsync(mediator.Send(new UnassignRoleFromUser(tenant.TenantId, id, userId), ct)));
        writes.MapPut("/{id}/groups/{groupId}", (string id, string groupId, TenantContext tenant, IMediator mediator, CancellationToken ct) =>
            NoContentAsync(mediator.Send(new AssignRoleToGroup(tenant.TenantId, id, groupId), ct)));
        writes.MapDelete("/{id}/groups/{groupId}", (string id, string groupId, TenantContext tenant, IMediator mediator, CancellationToken ct) =>
            NoContentAsync(mediator.Send(new UnassignRoleFromGroup(tenant.TenantId, id, groupId), ct)));

        routes.MapGroup("/v1/users/{id}/roles").WithTags("Roles")
            .RequireAuthorization(AuthSetup.TenantScope(ApiKeyScopes.RolesRead, DomainErrors.UserNotFound, "The user does not exist."))
            .RequireTenant(requireActive: true)
            .MapGet("/", EffectiveAsync);
        return routes;
    }

    private static async Task<Created<RoleResponse>> CreateAsync(HttpRequest request, TenantContext tenant, IMediator mediator, RoleDirectory roles, CancellationToken ct)
    {
        var body = await ApiJson.ReadAsync<CreateRoleRequest>(request, ct);
        var created = await mediator.Send(new CreateRole(tenant.TenantId, body.Name, body.Id), ct);
        return TypedResults.Created($"/v1/roles/{created.Id}", await RequireAsync(roles, tenant.TenantId, created.Id, ct));
    }

    private static async Task<Ok<RoleListResponse>> ListAsync(TenantContext tenant, RoleDirectory roles, string? after, string? limit, CancellationToken ct)
    {
        var size = Paging.Limit(limit);
        var page = await roles.ListAsync(tenant.TenantId, string.IsNullOrEmpty(after) ? null : after, size + 1, ct);
        return TypedResults.Ok(new RoleListResponse(
            page.Take(size).Select(RoleResponse.From).ToArray(),
            page.Count > size ? page[size - 1].RoleId : null));
    }

    private static async Task<Ok<EffectiveRolesResponse>> EffectiveAsync(string id, TenantContext tenant, UserDirectory users, RoleDirectory roles, CancellationToken ct)
    {
        _ = await users.GetAsync(tenant.TenantId, id, ct) ?? throw new DomainException(DomainErrors.UserNotFound, "The user does not exist.");
        var effective = await roles.EffectiveRolesAsync(tenant.TenantId, id, ct);
        return TypedResults.Ok(new EffectiveRolesResponse(id, effective.Select(RoleResponse.From).ToArray()));
    }

    private static async Task<NoContent> NoContentAsync<T>(ValueTask<T> sent)
    {
        await sent;
        return TypedResults.NoContent();
    }

    private static async Task<RoleResponse> RequireAsync(RoleDirectory roles, string tenantId, string roleId, CancellationToken ct) =>
        RoleResponse.From(await roles.GetAsync(tenantId, roleId, ct) ?? throw new DomainException(DomainErrors.RoleNotFound, "The role does not exist."));
}
