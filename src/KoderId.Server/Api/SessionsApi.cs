using KoderId.Application.Common;
using KoderId.Application.Sessions;
using KoderId.Domain;
using KoderId.Domain.ApiKeys;
using KoderId.Domain.Sessions;
using KoderId.Projections.Sessions;
using KoderId.Projections.Users;
using KoderId.Server.Auth;
using KoderId.Server.Tenancy;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KoderId.Server.Api;

/// <summary>One active session as an admin sees it: never the cookie or its hash.</summary>
public sealed record SessionResponse(
    string Id,
    string UserId,
    string? Device,
    string? UserAgent,
    string? Ip,
    IReadOnlyList<string> AuthMethods,
    string? Acr,
    DateTimeOffset AuthTime,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUsedAt,
    DateTimeOffset ExpiresAt)
{
    public static SessionResponse From(SessionView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(view.SessionId, view.UserId, view.Device, view.UserAgent, view.ClientIp, view.AuthMethods, view.Acr, view.AuthTime,
            view.StartedAt, view.LastUsedAt, view.ExpiresAt);
    }
}

public sealed record SessionListResponse(IReadOnlyList<SessionResponse> Items);

public sealed record SessionsRevokedResponse(IReadOnlyList<string> Revoked);

/// <summary>
/// <c>/v1/users/{id}/sessions</c>: an admin lists and revokes a user's SSO sessions (<c>session.revoked.v1</c>,
/// reason <c>admin</c>). users:read / users:write of the request's tenant; another tenant's user or session is
/// the same 404 as an unknown one.
/// </summary>
public static class SessionsApi
{
    public static RouteGroupBuilder MapUserSessionsApi(this IEndpointRouteBuilder routes)
    {
        var read = AuthSetup.TenantScope(ApiKeyScopes.UsersRead, DomainErrors.UserNotFound, "The user does not exist.");
        var write = AuthSetup.TenantScope(ApiKeyScopes.UsersWrite, DomainErrors.UserNotFound, "The user does not exist.");
        var group = routes.MapGroup("/v1/users/{id}/sessions").WithTags("Sessions").RequireTenant(requireActive: false);

        group.MapGet("/", ListAsync).RequireAuthorization(read);
        group.MapDelete("/", RevokeAllAsync).RequireAuthorization(write);
        group.MapDelete("/{sid}", RevokeOneAsync).RequireAuthorization(write);
        return group;
    }

    private static async Task<Ok<SessionListResponse>> ListAsync(
        string id, TenantContext tenant, UserDirectory users, SessionDirectory sessions, IClock clock, CancellationToken ct)
    {
        await RequireUserAsync(users, tenant.TenantId, id, ct);
        var active = await sessions.ListActiveForUserAsync(tenant.TenantId, id, clock.UtcNow, ct);
        return TypedResults.Ok(new SessionListResponse(active.Select(SessionResponse.From).ToArray()));
    }

    private static async Task<Ok<SessionsRevokedResponse>> RevokeAllAsync(string id, TenantContext tenant, IMediator mediator, CancellationToken ct)
    {
        var revoked = await mediator.Send(new RevokeUserSessions(tenant.TenantId, id, SessionRevokeReasons.Admin), ct);
        return TypedResults.Ok(new SessionsRevokedResponse(revoked.SessionIds));
    }

    private static async Task<NoContent> RevokeOneAsync(string id, string sid, TenantContext tenant, UserDirectory users, IMediator mediator, CancellationToken ct)
    {
        await RequireUserAsync(users, tenant.TenantId, id, ct);
        await mediator.Send(new RevokeSession(tenant.TenantId, sid, SessionRevokeReasons.Admin, id), ct);
        return TypedResults.NoContent();
    }

    private static async Task RequireUserAsync(UserDirectory users, string tenantId, string userId, CancellationToken ct)
    {
        _ = await users.GetAsync(tenantId, userId, ct) ?? throw new DomainException(DomainErrors.UserNotFound, "The user does not exist.");
    }
}
