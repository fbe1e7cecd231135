using KoderId.Application.Common;
using KoderId.Application.Sessions;
using KoderId.Domain;
using KoderId.Domain.Sessions;
using KoderId.Oidc.Common;
using KoderId.Projections.Sessions;
using Mediator;

namespace KoderId.Server.Api;

/// <summary>One of the caller's active sessions; <c>Current</c> is the session of the access token used.</summary>
public sealed record MySessionResponse(
    string Id,
    string? Device,
    string? Ip,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUsedAt,
    DateTimeOffset ExpiresAt,
    bool Current);

public sealed record MySessionListResponse(IReadOnlyList<MySessionResponse> Items);

/// <summary>
/// <c>/v1/sessions</c>: the signed-in user's own SSO sessions — list, end one, end all ("sign out everywhere").
/// Authenticated by the user's access token (<see cref="BearerToken"/>: the tenant's issuer from the Host, the
/// session active), not by an API key: the API-key scheme never accepts a JWT and this check never accepts a
/// key. Another user's session is the same 404 (KID1230) as an unknown one. Errors are problem+json.
/// </summary>
public static class MySessionsApi
{
    public static RouteGroupBuilder MapMySessionsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/sessions").WithTags("Sessions").AllowAnonymous();
        group.MapGet("/", ListAsync);
        group.MapDelete("/", RevokeAllAsync);
        group.MapDelete("/{sid}", RevokeOneAsync);
        return group;
    }

    private static async Task<IResult> ListAsync(HttpContext http, SessionDirectory sessions, IClock clock, CancellationToken ct)
    {
        var (caller, refused) = await AuthenticateAsync(http);
        if (caller is null)
        {
            return refused!;
        }

        var active = await sessions.ListActiveForUserAsync(caller.Value.Tenant.TenantId, caller.Value.Token.Subject, clock.UtcNow, ct);
        return TypedResults.Ok(new MySessionListResponse(active.Select(s => new MySessionResponse(
            s.SessionId, s.Device, s.ClientIp, s.StartedAt, s.LastUsedAt, s.ExpiresAt,
            string.Equals(s.SessionId, caller.Value.Token.SessionId, StringComparison.Ordinal))).ToArray()));
    }

    private static async Task<IResult> RevokeAllAsync(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var (caller, refused) = await AuthenticateAsync(http);
        if (caller is null)
        {
            return refused!;
        }

        var revoked = await mediator.Send(new RevokeUserSessions(caller.Value.Tenant.TenantId, caller.Value.Token.Subject, SessionRevokeReasons.Logout), ct);
        return TypedResults.Ok(new SessionsRevokedResponse(revoked.SessionIds));
    }

    private static async Task<IResult> RevokeOneAsync(string sid, HttpContext http, SessionDirectory sessions, IMediator mediator, CancellationToken ct)
    {
        var (caller, refused) = await AuthenticateAsync(http);
        if (caller is null)
        {
            return refused!;
        }

        var tenantId = caller.Value.Tenant.TenantId;
        var session = await sessions.GetAsync(tenantId, sid, ct);
        if (session is null || !string.Equals(session.UserId, caller.Value.Token.Subject, StringComparison.Ordinal))
        {
            throw new DomainException(DomainErrors.SessionNotFound, "The session does not exist.");
        }

        await mediator.Send(new RevokeSession(tenantId, sid, SessionRevokeReasons.Logout, caller.Value.Token.Subject), ct);
        return TypedResults.NoContent();
    }

    private static Task<((OidcTenant Tenant, ActiveAccessToken Token)? Caller, IResult? Refused)> AuthenticateAsync(HttpContext http) =>
        UserBearer.AuthenticateTokenAsync(http);
}
