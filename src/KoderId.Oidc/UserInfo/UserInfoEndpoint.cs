using KoderId.Oidc.Common;
using KoderId.Oidc.Token;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.UserInfo;

/// <summary>
/// The userinfo request rules (OIDC Core §5.3.1, RFC 6750): the bearer of the Authorization header only — a
/// token in the query or in a form body is <c>invalid_request</c> — an active user access token of this tenant,
/// and a scope with <c>openid</c> (else 403 <c>insufficient_scope</c>).
/// </summary>
public static class UserInfoRequestValidator
{
    public const int MaxBodyBytes = 64 * 1024;

    public static async ValueTask<(ActiveAccessToken? Token, BearerRefusal? Refusal)> ValidateAsync(HttpContext http, OidcTenant tenant)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType)
        {
            if (http.Request.ContentLength is null or > MaxBodyBytes)
            {
                return (null, BearerRefusal.InvalidRequest("The body is too large or has no length."));
            }

            IFormCollection form;
            try
            {
                form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
            {
                return (null, BearerRefusal.InvalidRequest("The form is malformed."));
            }

            if (form.ContainsKey("access_token"))
            {
                return (null, BearerRefusal.InvalidRequest("A token in the body is not accepted; send it in the Authorization header (RFC 6750 §2.1)."));
            }
        }

        var (token, refusal) = await BearerToken.AuthenticateAsync(http, tenant, http.RequestServices.GetRequiredService<AccessTokenValidator>(), requireUser: true).ConfigureAwait(false);
        if (token is null)
        {
            return (null, refusal);
        }

        return token.Scopes.Contains("openid") ? (token, null) : (null, BearerRefusal.InsufficientScope("openid"));
    }
}

/// <summary>OIDC Core §5.3.2: <c>sub</c> always, then the claims of each granted scope (<see cref="UserClaims"/>).</summary>
public sealed class UserInfoResponseGenerator(UserClaims claims)
{
    /// <summary>The claims; null when the user stopped being active since the token was checked.</summary>
    public async ValueTask<Dictionary<string, object?>?> GenerateAsync(OidcTenant tenant, ActiveAccessToken token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(token);
        if (await claims.ActiveUserAsync(tenant.TenantId, token.Subject, ct).ConfigureAwait(false) is not { } user)
        {
            return null;
        }

        var response = new Dictionary<string, object?>(StringComparer.Ordinal) { ["sub"] = token.Subject };
        await claims.AddAsync(response, user, token.Scopes, ct).ConfigureAwait(false);
        return response;
    }
}

/// <summary><c>GET</c> and <c>POST /oidc/v1/userinfo</c>: a hot path, it appends nothing (ADR 0004).</summary>
public static class UserInfoEndpoint
{
    public static IEndpointRouteBuilder MapUserInfo(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapMethods(OidcPaths.UserInfo, [HttpMethods.Get, HttpMethods.Post], (Func<HttpContext, Task>)HandleAsync)
            .ExcludeFromDescription().DisableAntiforgery();
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext http)
    {
        var tenant = await http.RequestServices.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: true, http.RequestAborted).ConfigureAwait(false);
        var (token, refusal) = await UserInfoRequestValidator.ValidateAsync(http, tenant).ConfigureAwait(false);
        if (token is null)
        {
            refusal!.Write(http.Response);
            return;
        }

        var body = await http.RequestServices.GetRequiredService<UserInfoResponseGenerator>().GenerateAsync(tenant, token, http.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            BearerRefusal.InvalidToken(new AccessTokenRefusal(EndpointErrors.BearerUserInactive, "The token's user is disabled or deleted.")).Write(http.Response);
            return;
        }

        await OAuthResults.NoStoreJson(body).ExecuteAsync(http).ConfigureAwait(false);
    }
}
