using KoderId.Application.Credentials.Commands;
using KoderId.Domain;
using KoderId.Domain.ApiKeys;
using KoderId.Server.Auth;
using KoderId.Server.Tenancy;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KoderId.Server.Api;

/// <summary>An administrator's set or reset. The password is never logged, echoed or put in a problem.</summary>
public sealed record SetPasswordRequest(string Password, bool ChangeRequired = false)
{
    public override string ToString() => $"SetPasswordRequest {{ Password = [redacted], ChangeRequired = {ChangeRequired} }}";
}

public sealed record ChangePasswordRequest(string CurrentPassword, string NewPassword)
{
    public override string ToString() => "ChangePasswordRequest { CurrentPassword = [redacted], NewPassword = [redacted] }";
}

/// <summary>
/// <c>/v1/users/{id}/password</c>: policy violations are one 400 listing every KID11xx code broken, a hashing
/// gate at capacity is 503 with <c>Retry-After</c> (both in <see cref="Errors.ProblemExceptionHandler"/>).
/// </summary>
public static class CredentialsApi
{
    public static RouteGroupBuilder MapCredentialsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/users/{id}/password").WithTags("Credentials")
            .RequireAuthorization(AuthSetup.TenantScope(ApiKeyScopes.UsersWrite, DomainErrors.UserNotFound, "The user does not exist."))
            .RequireTenant(requireActive: true);
        group.MapPut("/", SetAsync).Accepts<SetPasswordRequest>("application/json");
        group.MapPost("/change", ChangeAsync).Accepts<ChangePasswordRequest>("application/json");
        return group;
    }

    private static async Task<NoContent> SetAsync(string id, HttpRequest request, TenantContext tenant, IMediator mediator, CancellationToken ct)
    {
        var body = await ApiJson.ReadAsync<SetPasswordRequest>(request, ct);
        await mediator.Send(new SetPassword(tenant.TenantId, id, body.Password, body.ChangeRequired), ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> ChangeAsync(string id, HttpRequest request, TenantContext tenant, IMediator mediator, CancellationToken ct)
    {
        var body = await ApiJson.ReadAsync<ChangePasswordRequest>(request, ct);
        await mediator.Send(new ChangePassword(tenant.TenantId, id, body.CurrentPassword, body.NewPassword), ct);
        return TypedResults.NoContent();
    }
}
