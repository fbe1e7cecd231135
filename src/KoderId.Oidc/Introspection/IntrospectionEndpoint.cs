using KoderId.Application.Common;
using KoderId.Application.Grants;
using KoderId.Domain;
using KoderId.Oidc.Clients;
using KoderId.Oidc.Common;
using KoderId.Oidc.Token;
using KoderId.Projections.Grants;
using KoderId.Projections.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Introspection;

/// <summary>A validated introspection request (RFC 7662 §2.1).</summary>
/// <param name="Hint"><c>access_token</c>, <c>refresh_token</c>, or null (none, or one we do not know: RFC 7662 §2.1 lets us ignore it).</param>
public sealed record IntrospectionRequest(OidcTenant Tenant, AuthenticatedClient Client, string Token, string? Hint);

/// <summary>
/// The request rules: a form POST (<see cref="ProtocolForm"/>), an authenticated client that is confidential
/// (a resource server; a public client proves nothing about itself, KID2146), exactly one <c>token</c>.
/// Any confidential client of the tenant may introspect any of the tenant's tokens: resource servers are
/// clients too, and a token's audience is not theirs to know in advance.
/// </summary>
public static class IntrospectionRequestValidator
{
    public static async Task<IntrospectionRequest> ValidateAsync(HttpContext http, int maxBodyBytes)
    {
        ArgumentNullException.ThrowIfNull(http);
        var form = await ProtocolForm.ReadAsync(http, maxBodyBytes).ConfigureAwait(false);
        var tenant = await ProtocolForm.TenantAsync(http).ConfigureAwait(false);
        var client = await http.RequestServices.GetRequiredService<ClientAuthenticator>().AuthenticateAsync(http, tenant, form).ConfigureAwait(false);
        if (client.View.ClientType != "confidential")
        {
            throw new OAuthException(OAuthErrors.InvalidClient,
                $"A public client cannot introspect tokens; use a confidential client (RFC 7662 §2.1). ({EndpointErrors.IntrospectionPublicClient})",
                StatusCodes.Status401Unauthorized);
        }

        var token = ProtocolForm.Single(form, "token") ?? throw new OAuthException(OAuthErrors.InvalidRequest, "token is required.");
        var hint = ProtocolForm.Single(form, "token_type_hint") is "access_token" or "refresh_token" ? form["token_type_hint"].ToString() : null;
        return new IntrospectionRequest(tenant, client, token, hint);
    }
}

/// <summary>
/// RFC 7662 §2.2: the claims of an active token, or exactly <c>{"active":false}</c> for anything else
/// (expired, revoked, rotated out, unknown, malformed, another tenant's, <c>alg: none</c>, HS256...). Reads only.
/// </summary>
public sealed class IntrospectionResponseGenerator(AccessTokenValidator accessTokens, RefreshFamilyDirectory families, UserDirectory users, IClock clock)
{
    public static readonly IReadOnlyDictionary<string, object?> Inactive = new Dictionary<string, object?> { ["active"] = false };

    public async ValueTask<IReadOnlyDictionary<string, object?>> GenerateAsync(IntrospectionRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (RefreshTokenFormat.TryParse(request.Token, out var familyId, out var secret))
        {
            return await RefreshAsync(request.Tenant, familyId, secret, ct).ConfigureAwait(false);
        }

        var check = await accessTokens.ValidateAsync(request.Tenant, request.Token, ct).ConfigureAwait(false);
        if (check.Active is not { } active)
        {
            return Inactive;
        }

        var response = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["active"] = true,
            ["scope"] = string.Join(' ', active.Scopes),
            ["client_id"] = active.ClientId,
            ["sub"] = active.Subject,
            ["exp"] = active.ExpiresAt,
            ["iat"] = active.Seconds("iat"),
            ["iss"] = request.Tenant.Issuer,
            ["token_type"] = "Bearer",
            ["tid"] = request.Tenant.TenantId,
            ["aud"] = active.Claim("aud"),
            ["jti"] = active.Claim("jti"),
        };
        Put(response, "sid", active.SessionId);
        Put(response, "username", active.Username);
        foreach (var name in response.Where(p => p.Value is null).Select(p => p.Key).ToArray())
        {
            response.Remove(name);
        }

        return response;
    }

    private async ValueTask<IReadOnlyDictionary<string, object?>> RefreshAsync(OidcTenant tenant, string familyId, string secret, CancellationToken ct)
    {
        var family = await families.ValidateCurrentAsync(tenant.TenantId, familyId, secret, clock.UtcNow, ct).ConfigureAwait(false);
        if (family is null)
        {
            return Inactive;
        }

        var user = await users.GetAsync(tenant.TenantId, family.UserId, ct).ConfigureAwait(false);
        if (user is not { Status: UserStatus.Active })
        {
            return Inactive;
        }

        var response = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["active"] = true,
            ["scope"] = family.Scope,
            ["client_id"] = family.ClientId,
            ["sub"] = family.UserId,
            ["exp"] = family.ExpiresAt.ToUnixTimeSeconds(),
            ["iat"] = family.LastUsedAt.ToUnixTimeSeconds(),
            ["iss"] = tenant.Issuer,
            ["token_type"] = "refresh_token",
            ["tid"] = tenant.TenantId,
            ["sid"] = family.SessionId,
            ["aud"] = family.ClientId,
        };
        Put(response, "username", user.Username);
        return response;
    }

    private static void Put(Dictionary<string, object?> response, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            response[name] = value;
        }
    }
}

/// <summary><c>POST /oauth/v2/introspect</c> (RFC 7662): a hot path, it appends nothing (ADR 0004).</summary>
public static class IntrospectionEndpoint
{
    public const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapIntrospection(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(OidcPaths.Introspect, (Func<HttpContext, Task<IResult>>)HandleAsync).ExcludeFromDescription().DisableAntiforgery();
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(HttpContext http)
    {
        try
        {
            var request = await IntrospectionRequestValidator.ValidateAsync(http, MaxBodyBytes).ConfigureAwait(false);
            var response = await http.RequestServices.GetRequiredService<IntrospectionResponseGenerator>().GenerateAsync(request, http.RequestAborted).ConfigureAwait(false);
            return OAuthResults.NoStoreJson(response);
        }
        catch (OAuthException error)
        {
            return OAuthResults.Error(ProtocolForm.WithCode(error));
        }
        catch (DomainException error)
        {
            return OAuthResults.Error(ProtocolForm.FromDomain(error));
        }
    }
}
