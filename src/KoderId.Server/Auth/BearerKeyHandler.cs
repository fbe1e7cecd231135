using System.Security.Claims;
using System.Text.Encodings.Web;
using KoderId.Server.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace KoderId.Server.Auth;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c>. Today the bootstrap admin key is the only key; API keys and tenant
/// admins add principals with other roles here, and the policies in <see cref="AuthSetup"/> decide.
/// The presented value never reaches a log line or a problem document.
/// </summary>
internal sealed class BearerKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    BootstrapAdminKey adminKey,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.Fail("Not a bearer credential."));
        }

        var presented = header[prefix.Length..].Trim();
        if (presented.Length == 0 || !adminKey.Matches(presented))
        {
            return Task.FromResult(AuthenticateResult.Fail("The bearer key is not valid."));
        }

        var identity = new ClaimsIdentity(
            [new Claim(AuthSetup.ActorClaim, AuthSetup.SystemAdminActor), new Claim(ClaimTypes.Role, AuthSetup.SystemAdminRole)],
            SchemeName,
            AuthSetup.ActorClaim,
            ClaimTypes.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await WriteAsync(StatusCodes.Status401Unauthorized, "Authentication is required.", ApiErrors.Unauthenticated);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await WriteAsync(StatusCodes.Status403Forbidden, "The credential does not allow this request.", ApiErrors.Forbidden);
    }

    private async Task WriteAsync(int status, string title, string code)
    {
        var problem = new ProblemDetails { Status = status, Title = title };
        problem.Extensions["code"] = code;
        await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem });
    }
}
