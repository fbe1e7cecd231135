using System.Security.Claims;
using System.Text.Encodings.Web;
using KoderId.Application.ApiKeys;
using KoderId.Application.Common;
using KoderId.Domain.ApiKeys;
using KoderId.Projections.ApiKeys;
using KoderId.Server.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace KoderId.Server.Auth;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c>: the bootstrap admin key, or an API key <c>kid_&lt;id&gt;_&lt;secret&gt;</c>
/// found by id in the api_keys read model and checked by a constant-time compare of SHA-256 digests, then
/// refused when revoked or expired. An unknown id, a wrong secret, a revoked and an expired key all fail the
/// same way (401 KID2001). Authenticating appends nothing to the log; "last used" goes to
/// <see cref="ApiKeyUsage"/>. The presented value never reaches a log line or a problem document.
/// </summary>
internal sealed class BearerKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    BootstrapAdminKey adminKey,
    ApiKeyDirectory apiKeys,
    ApiKeyUsage usage,
    IClock clock,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    /// <summary>Compared against when the key id is unknown, so an unknown id costs the same hash and compare as a wrong secret.</summary>
    private static readonly string UnknownKeyHash = ApiKeyToken.Hash(ApiKeyToken.NewSecret());

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("Not a bearer credential.");
        }

        var presented = header[prefix.Length..].Trim();
        if (presented.Length > 0 && adminKey.Matches(presented))
        {
            return Success(new Claim(AuthSetup.ActorClaim, AuthSetup.SystemAdminActor), new Claim(ClaimTypes.Role, AuthSetup.SystemAdminRole));
        }

        if (ApiKeyToken.TryParse(presented, out var keyId, out var secret))
        {
            var key = await apiKeys.FindForAuthenticationAsync(keyId, Context.RequestAborted).ConfigureAwait(false);
            var matches = ApiKeyToken.Verify(secret, key?.SecretHash ?? UnknownKeyHash);
            var now = clock.UtcNow;
            if (key is not null && matches && !key.Revoked && (key.ExpiresAt is not { } expiry || expiry > now))
            {
                await usage.TouchAsync(key.KeyId, now, Context.RequestAborted).ConfigureAwait(false);
                return Success(Claims(key));
            }
        }

        return AuthenticateResult.Fail("The bearer key is not valid.");
    }

    private static Claim[] Claims(ApiKeyCredential key)
    {
        var claims = new List<Claim>
        {
            new(AuthSetup.ActorClaim, $"api-key:{key.KeyId}"),
            new(AuthSetup.TenantClaim, key.TenantId),
        };
        claims.AddRange(key.Scopes.Select(s => new Claim(AuthSetup.ScopeClaim, s)));
        if (key.System)
        {
            claims.Add(new Claim(AuthSetup.SystemClaim, "true"));
            if (key.Scopes.Contains(ApiKeyScopes.TenantsAdmin, StringComparer.Ordinal))
            {
                // tenants:admin on a system key is the system admin: every tenant, every resource.
                claims.Add(new Claim(ClaimTypes.Role, AuthSetup.SystemAdminRole));
            }
        }

        return [.. claims];
    }

    private static AuthenticateResult Success(params Claim[] claims)
    {
        var identity = new ClaimsIdentity(claims, SchemeName, AuthSetup.ActorClaim, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
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
