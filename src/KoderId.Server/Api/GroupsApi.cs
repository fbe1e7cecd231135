using KoderId.Application.Common;
using KoderId.Application.Groups;
using KoderId.Domain;
using KoderId.Domain.ApiKeys;
using KoderId.Projections.Groups;
using KoderId.Server.Auth;
using KoderId.Server.Tenancy;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KoderId.Server.Api;

public sealed record CreateGroupRequest(string Name, string? Id = null);

public sealed record RenameGroupRequest(string Name);

public sealed record GroupResponse(string Id, string TenantId, string Name, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long Version)
{
    public static GroupResponse From(GroupView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(view.GroupId, view.TenantId, view.Name, view.CreatedAt, view.UpdatedAt, view.Version);
    }
}

public sealed record GroupListResponse(IReadOnlyList<GroupResponse> Items, string? Next);

public sealed record GroupMembersResponse(string GroupId, IReadOnlyList<string> Members);

/// <summary><c>/v1/groups</c> of the request's tenant. The groups model is inline: a committed command is visible to the next read.</summary>
public static class GroupsApi
{
    public static RouteGroupBuilder MapGroupsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/groups").WithTags("Groups").RequireTenant(requireActive: true);
        // The system admin, or a key of the request's tenant with the scope (admin implies it); another tenant's
        // key gets the not-found answer for an id and 403 on the collection (as /v1/users).
        var reads = group.MapGroup("").RequireAuthorization(AuthSetup.TenantScope(ApiKeyScopes.GroupsRead, DomainErrors.GroupNotFound, "The group does not exist."));
        var writes = group.MapGroup("").RequireAuthorization(AuthSetup.TenantScope(ApiKeyScopes.GroupsWrite, DomainErrors.GroupNotFound, "The group does not exist."));

        writes.MapPost("/", CreateAsync).Accepts<CreateGroupRequest>("application/json");
        reads.MapGet("/", ListAsync);
        reads.MapGet("/{id}", async (string id, TenantContext tenant, GroupDirectory groups, CancellationToken ct) =>
            TypedResults.Ok(await RequireAsync(groups, tenant.TenantId, id, ct)));
        writes.MapPatch("/{id}", RenameAsync).Accepts<RenameGroupRequest>(ApiJson.MergePatch, "application/json");
        writes.MapDelete("/{id}", async (string id, TenantContext tenant, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new DeleteGroup(tenant.TenantId, id), ct);
            return TypedResults.NoContent();
        });
        reads.MapGet("/{id}/members", MembersAsync);
        writes.MapPut("/{id}/members/{userId}", async (string id, string userId, TenantContext tenant, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new AddGroupMember(tenant.TenantId, id, userId), ct);
            return TypedResults.NoContent();
        });
        writes.MapDelete("/{id}/members/{userId}", async (string id, string userId, TenantContext tenant, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new RemoveGroupMember(tenant.TenantId, id, userId), ct);
            return TypedResults.NoContent();
        });
        return group;
    }

    private static async Task<Created<GroupResponse>> CreateAsync(HttpRequest request, TenantContext tenant, IMediator mediator, GroupDirectory groups, CancellationToken ct)
    {
        var body = await ApiJson.ReadAsync<CreateGroupRequest>(request, ct);
        var created = await mediator.Send(new CreateGroup(tenant.TenantId, body.Name, body.Id), ct);
        return TypedResults.Created($"/v1/groups/{created.Id}", await RequireAsync(groups, tenant.TenantId, created.Id, ct));
    }

    private static async Task<Ok<GroupListResponse>> ListAsync(TenantContext tenant, GroupDirectory groups, string? after, string? limit, CancellationToken ct)
    {
        var size = Paging.Limit(limit);
        var page = await groups.ListAsync(tenant.TenantId, string.IsNullOrEmpty(after) ? null : after, size + 1, ct);
        return TypedResults.Ok(new GroupListResponse(
            page.Take(size).Select(GroupResponse.From).ToArray(),
            page.Count > size ? page[size - 1].GroupId : null));
    }

    private static async Task<Ok<GroupResponse>> RenameAsync(string id, HttpRequest request, TenantContext tenant, IMediator mediator, GroupDirectory groups, CancellationToken ct)
    {
        var body = await ApiJson.ReadAsync<RenameGroupRequest>(request, ct, ApiJson.MergePatch, "application/json");
        await mediator.Send(new RenameGroup(tenant.TenantId, id, body.Name), ct);
        return TypedResults.Ok(await RequireAsync(groups, tenant.TenantId, id, ct));
    }

    private static async Task<Ok<GroupMembersResponse>> MembersAsync(string id, TenantContext tenant, GroupDirectory groups, CancellationToken ct)
    {
        await RequireAsync(groups, tenant.TenantId, id, ct);
        return TypedResults.Ok(new GroupMembersResponse(id, await groups.MembersAsync(tenant.TenantId, id, ct)));
    }

    /// <summary>Another tenant's id is the same 404 as no group at all.</summary>
    internal static async Task<GroupResponse> RequireAsync(GroupDirectory groups, string tenantId, string groupId, CancellationToken ct) =>
        GroupResponse.From(await groups.GetAsync(tenantId, groupId, ct) ?? throw new DomainException(DomainErrors.GroupNotFound, "The group does not exist."));
}
