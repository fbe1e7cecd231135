using KoderId.Application.Email;
using KoderId.Domain;
using KoderId.Domain.ApiKeys;
using KoderId.Oidc.Common;
using KoderId.Projections.Users;
using KoderId.Server.Auth;
using KoderId.Server.Errors;
using KoderId.Server.Tenancy;
using Mediator;

namespace KoderId.Server.Api;

public sealed record PasswordResetRequest(string? Username = null, string? Email = null);

public sealed record PasswordResetConfirmRequest(string? Token, string? Password)
{
    public override string ToString() => "PasswordResetConfirmRequest { Token = [redacted], Password = [redacted] }";
}

public sealed record EmailVerificationConfirmRequest(string? Token)
{
    public override string ToString() => "EmailVerificationConfirmRequest { Token = [redacted] }";
}

public sealed record EmailAcceptedResponse(string Status);

/// <summary>
/// Email verification and password reset over JSON (ADR 0006). The resend endpoints are the user's own (bearer
/// access token, as <see cref="MySessionsApi"/>) and an administrator's; the reset request is anonymous and
/// answers 202 with the same body whether or not the name matches an account, and links are consumed by the
/// confirm endpoints or the hosted pages (<see cref="Email.EmailPages"/>).
/// </summary>
public static class EmailApi
{
    public const int MaxLoginLength = 320;
    private static readonly EmailAcceptedResponse Accepted = new("accepted");

    public static IEndpointRouteBuilder MapEmailApi(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapPost("/v1/users/me/email/verification", SendMineAsync).WithTags("Email").AllowAnonymous();
        routes.MapGroup("/v1/users/{id}/email").WithTags("Email")
            .RequireAuthorization(AuthSetup.TenantScope(ApiKeyScopes.UsersWrite, DomainErrors.UserNotFound, "The user does not exist."))
            .RequireTenant(requireActive: true)
            .MapPost("/verification", SendForUserAsync);

        var auth = routes.MapGroup("/v1/auth").WithTags("Email").AllowAnonymous();
        auth.MapPost("/password-reset", RequestResetAsync).Accepts<PasswordResetRequest>("application/json");
        auth.MapPost("/password-reset/confirm", ConfirmResetAsync).Accepts<PasswordResetConfirmRequest>("application/json");
        auth.MapPost("/email/verify", ConfirmVerificationAsync).Accepts<EmailVerificationConfirmRequest>("application/json");
        return routes;
    }

    private static async Task<IResult> SendMineAsync(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var tenant = await http.RequestServices.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: true, ct);
        var (token, refusal) = await BearerToken.AuthenticateAsync(http, tenant, http.RequestServices.GetRequiredService<AccessTokenValidator>(), requireUser: true);
        if (token is null)
        {
            http.Response.Headers.WWWAuthenticate = refusal!.Challenge;
            http.Response.Headers.CacheControl = "no-store";
            return TypedResults.Problem(
                statusCode: refusal.Status,
                title: refusal.Status == StatusCodes.Status400BadRequest ? "The request is malformed." : "A valid user access token is required.",
                detail: refusal.Description,
                extensions: new Dictionary<string, object?> { ["code"] = refusal.Code });
        }

        return Answer(http, await mediator.Send(new SendEmailVerification(tenant.TenantId, token.Subject), ct));
    }

    private static async Task<IResult> SendForUserAsync(string id, HttpContext http, TenantContext tenant, IMediator mediator, CancellationToken ct) =>
        Answer(http, await mediator.Send(new SendEmailVerification(tenant.TenantId, id), ct));

    private static IResult Answer(HttpContext http, EmailSendResult result)
    {
        if (result == EmailSendResult.Throttled)
        {
            // Answered here rather than thrown: the exception handler clears the response's headers, Retry-After with them.
            http.Response.Headers.RetryAfter = ((int)SendEmailVerificationHandler.ResendInterval.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "A verification email was sent a moment ago.",
                detail: "Wait a minute before asking for another one.",
                extensions: new Dictionary<string, object?> { ["code"] = ApiErrors.EmailResendThrottled });
        }

        return TypedResults.Accepted((string?)null, new EmailAcceptedResponse("sent"));
    }

    /// <summary>
    /// The same 202 and body for every well-formed request, and the same work up to the queue (the mail itself
    /// goes out in the background), so neither the answer nor its time says whether the account exists.
    /// </summary>
    private static async Task<IResult> RequestResetAsync(HttpContext http, UserDirectory users, IMediator mediator, CancellationToken ct)
    {
        var tenant = await http.RequestServices.GetRequiredService<TenantResolver>().ResolveAsync(http, requireActive: true, ct);
        var body = await ApiJson.ReadAsync<PasswordResetRequest>(http.Request, ct);
        var login = (body.Username ?? body.Email)?.Trim();
        if ((body.Username is null) == (body.Email is null) || string.IsNullOrEmpty(login) || login.Length > MaxLoginLength)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, ApiErrors.PasswordResetInvalidRequest,
                "The request names no account.", $"Send exactly one of username or email, 1 to {MaxLoginLength} characters.");
        }

        UserView? user = body.Username is not null ? await users.FindByUsernameAsync(tenant.TenantId, login, ct) : null;
        if (user is null && login.Contains('@', StringComparison.Ordinal))
        {
            var byEmail = await users.FindByEmailAsync(tenant.TenantId, login, ct);
            user = byEmail.Count == 1 ? byEmail[0] : null;
        }

        await mediator.Send(new RequestPasswordReset(tenant.TenantId, user?.UserId), ct);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Accepted((string?)null, Accepted);
    }

    private static async Task<IResult> ConfirmResetAsync(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var tenant = await http.RequestServices.GetRequiredService<TenantResolver>().ResolveAsync(http, requireActive: true, ct);
        var body = await ApiJson.ReadAsync<PasswordResetConfirmRequest>(http.Request, ct);
        if (body.Token is null || body.Password is null)
        {
            throw ApiJson.Malformed("Send token and password.");
        }

        await mediator.Send(new ResetPasswordWithLink(tenant.TenantId, body.Token, body.Password), ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ConfirmVerificationAsync(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var tenant = await http.RequestServices.GetRequiredService<TenantResolver>().ResolveAsync(http, requireActive: true, ct);
        var body = await ApiJson.ReadAsync<EmailVerificationConfirmRequest>(http.Request, ct);
        if (body.Token is null)
        {
            throw ApiJson.Malformed("Send token.");
        }

        await mediator.Send(new ConfirmEmailVerification(tenant.TenantId, body.Token), ct);
        return TypedResults.NoContent();
    }
}
