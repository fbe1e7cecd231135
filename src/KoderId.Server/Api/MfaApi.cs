using KoderId.Application.Common;
using KoderId.Application.Mfa;
using KoderId.Domain;
using KoderId.Domain.ApiKeys;
using KoderId.Oidc.Common;
using KoderId.Server.Auth;
using KoderId.Server.Errors;
using KoderId.Server.Tenancy;
using Mediator;

namespace KoderId.Server.Api;

/// <summary>The re-authentication of a self-service removal: exactly one of the current password or a current TOTP code.</summary>
public sealed record RemoveTotpRequest(string? Password = null, string? Code = null)
{
    public override string ToString() => "RemoveTotpRequest { Password = [redacted], Code = [redacted] }";
}

public sealed record ConfirmTotpRequest(string Code)
{
    public override string ToString() => "ConfirmTotpRequest { Code = [redacted] }";
}

/// <summary>A started enrolment: the secret for typing in, the URI and its QR code (PNG as a data: URL, SVG as markup) for scanning.</summary>
public sealed record TotpEnrolmentResponse(string Secret, string OtpauthUri, string QrPng, string QrSvg)
{
    public override string ToString() => "TotpEnrolmentResponse { [redacted] }";
}

public sealed record RecoveryCodesResponse(IReadOnlyList<string> Codes)
{
    public override string ToString() => $"RecoveryCodesResponse {{ Codes = [{Codes.Count} redacted] }}";
}

/// <summary>
/// <c>/v1/users/me/mfa</c>: the signed-in user's TOTP and recovery codes, authenticated by the user's access token
/// exactly as <see cref="MySessionsApi"/> is (the tenant's issuer from the Host, the session active), and
/// <c>/v1/users/{id}/mfa</c> for administrators (API keys with <c>users:read</c> / <c>users:write</c>). Anything
/// carrying a secret or codes is <c>Cache-Control: no-store</c>. Errors are problem+json (KID1320-KID1329, KID2220).
/// </summary>
/// <remarks>The literal <c>me</c> segment wins over <c>{id}</c> in routing, so a user whose id is <c>me</c> is reachable by administrators only through its own token.</remarks>
public static class MfaApi
{
    public static IEndpointRouteBuilder MapMfaApi(this IEndpointRouteBuilder routes)
    {
        var me = routes.MapGroup("/v1/users/me/mfa").WithTags("MFA").AllowAnonymous();
        me.MapGet("/", StatusAsync);
        me.MapPost("/totp", StartAsync);
        me.MapGet("/totp/qr.png", QrPngAsync);
        me.MapGet("/totp/qr.svg", QrSvgAsync);
        me.MapPost("/totp/confirm", ConfirmAsync).Accepts<ConfirmTotpRequest>("application/json");
        // No Accepts<>: a bare DELETE (no body, no media type) must reach this endpoint (and answer KID1329), not fall
        // through to the administrators' route below.
        me.MapDelete("/totp", RemoveAsync);
        me.MapPost("/recovery-codes", RecoveryCodesAsync);

        var read = AuthSetup.TenantScope(ApiKeyScopes.UsersRead, DomainErrors.UserNotFound, "The user does not exist.");
        var write = AuthSetup.TenantScope(ApiKeyScopes.UsersWrite, DomainErrors.UserNotFound, "The user does not exist.");
        var admin = routes.MapGroup("/v1/users/{id}/mfa").WithTags("MFA").RequireTenant(requireActive: true);
        admin.MapGet("/", (string id, TenantContext tenant, IMediator mediator, CancellationToken ct) =>
            AdminStatusAsync(id, tenant, mediator, ct)).RequireAuthorization(read);
        admin.MapDelete("/totp", async (string id, TenantContext tenant, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new RemoveTotp(tenant.TenantId, id, TotpRemovalProof.Administrator), ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(write);
        return routes;
    }

    private static async Task<IResult> AdminStatusAsync(string id, TenantContext tenant, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetMfaStatus(tenant.TenantId, id), ct));

    private static async Task<IResult> StatusAsync(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var (caller, refused) = await UserBearer.AuthenticateAsync(http);
        return caller is null ? refused! : TypedResults.Ok(await mediator.Send(new GetMfaStatus(caller.TenantId, caller.UserId), ct));
    }

    private static async Task<IResult> StartAsync(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var (caller, refused) = await UserBearer.AuthenticateAsync(http);
        if (caller is null)
        {
            return refused!;
        }

        var enrolment = await mediator.Send(new StartTotpEnrolment(caller.TenantId, caller.UserId), ct);
        NoStore(http);
        return TypedResults.Ok(new TotpEnrolmentResponse(
            enrolment.Secret,
            enrolment.OtpAuthUri,
            "data:image/png;base64," + Convert.ToBase64String(TotpQrCode.Png(enrolment.OtpAuthUri)),
            TotpQrCode.Svg(enrolment.OtpAuthUri)));
    }

    private static async Task<IResult> QrPngAsync(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var (caller, refused) = await UserBearer.AuthenticateAsync(http);
        if (caller is null)
        {
            return refused!;
        }

        var pending = await mediator.Send(new GetPendingTotp(caller.TenantId, caller.UserId), ct);
        NoStore(http);
        return TypedResults.File(TotpQrCode.Png(pending.OtpAuthUri), "image/png");
    }

    private static async Task<IResult> QrSvgAsync(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var (caller, refused) = await UserBearer.AuthenticateAsync(http);
        if (caller is null)
        {
            return refused!;
        }

        var pending = await mediator.Send(new GetPendingTotp(caller.TenantId, caller.UserId), ct);
        NoStore(http);
        return TypedResults.Text(TotpQrCode.Svg(pending.OtpAuthUri), "image/svg+xml", System.Text.Encoding.UTF8);
    }

    private static async Task<IResult> ConfirmAsync(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var (caller, refused) = await UserBearer.AuthenticateAsync(http);
        if (caller is null)
        {
            return refused!;
        }

        var body = await ApiJson.ReadAsync<ConfirmTotpRequest>(http.Request, ct);
        await mediator.Send(new ConfirmTotp(caller.TenantId, caller.UserId, body.Code), ct);
        return TypedResults.Ok(await mediator.Send(new GetMfaStatus(caller.TenantId, caller.UserId), ct));
    }

    private static async Task<IResult> RemoveAsync(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var (caller, refused) = await UserBearer.AuthenticateAsync(http);
        if (caller is null)
        {
            return refused!;
        }

        // No body at all is "no proof" (KID1329 when a confirmed TOTP needs one); a body must be exactly one proof.
        var body = http.Request.ContentLength is 0 || (http.Request.ContentLength is null && http.Request.ContentType is null)
            ? new RemoveTotpRequest()
            : await ApiJson.ReadAsync<RemoveTotpRequest>(http.Request, ct);
        if (http.Request.ContentType is not null && (body.Password is null) == (body.Code is null))
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, ApiErrors.MfaInvalidReauthentication,
                "The request body is malformed.", "Send exactly one of 'password' or 'code'.");
        }

        await mediator.Send(new RemoveTotp(caller.TenantId, caller.UserId, TotpRemovalProof.InRequest, body.Password, body.Code), ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> RecoveryCodesAsync(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var (caller, refused) = await UserBearer.AuthenticateAsync(http);
        if (caller is null)
        {
            return refused!;
        }

        var set = await mediator.Send(new GenerateRecoveryCodes(caller.TenantId, caller.UserId), ct);
        NoStore(http);
        return TypedResults.Ok(new RecoveryCodesResponse(set.Codes));
    }

    private static void NoStore(HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
    }
}

/// <summary>The caller of a <c>/v1/users/me/...</c> endpoint: the tenant of the Host and the subject of its user access token.</summary>
public sealed record UserCaller(string TenantId, string UserId, string? SessionId);

/// <summary>
/// A user's access token on a self-service endpoint, checked as <see cref="MySessionsApi"/> checks it (the tenant's
/// issuer from the Host, a user token whose session is active): the refusal is problem+json with the bearer
/// code and a <c>WWW-Authenticate</c> challenge. A success also names the user as the actor of what is appended.
/// </summary>
public static class UserBearer
{
    public static async Task<(UserCaller? Caller, IResult? Refused)> AuthenticateAsync(HttpContext http)
    {
        var (caller, refused) = await AuthenticateTokenAsync(http);
        if (caller is not { } c)
        {
            return (null, refused);
        }

        http.RequestServices.GetRequiredService<RequestContext>().Actor = $"user:{c.Tenant.TenantId}/{c.Token.Subject}";
        return (new UserCaller(c.Tenant.TenantId, c.Token.Subject, c.Token.SessionId), null);
    }

    /// <summary>The tenant and the validated token, or the refusal (problem+json with a <c>WWW-Authenticate</c> challenge).</summary>
    public static async Task<((OidcTenant Tenant, ActiveAccessToken Token)? Caller, IResult? Refused)> AuthenticateTokenAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var tenant = await http.RequestServices.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: false, http.RequestAborted);
        var (token, refusal) = await BearerToken.AuthenticateAsync(http, tenant, http.RequestServices.GetRequiredService<AccessTokenValidator>(), requireUser: true);
        if (token is not null)
        {
            return ((tenant, token), null);
        }

        http.Response.Headers.WWWAuthenticate = refusal!.Challenge;
        http.Response.Headers.CacheControl = "no-store";
        var title = refusal.Status == StatusCodes.Status400BadRequest ? "The request is malformed." : "A valid user access token is required.";
        return (null, TypedResults.Problem(
            statusCode: refusal.Status,
            title: title,
            detail: refusal.Description,
            extensions: new Dictionary<string, object?> { ["code"] = refusal.Code }));
    }
}
