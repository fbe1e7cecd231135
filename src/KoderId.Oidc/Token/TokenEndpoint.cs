using KoderId.Application.Grants;
using KoderId.Domain;
using KoderId.Oidc.Clients;
using KoderId.Oidc.Common;
using KoderId.Projections.Clients;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json.Serialization;

namespace KoderId.Oidc.Token;

/// <summary>The token response (RFC 6749 §5.1, OIDC Core §3.1.3.3).</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("scope")] string? Scope,
    [property: JsonPropertyName("id_token")] string? IdToken = null,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken = null);

/// <summary>
/// <c>POST /oauth/v2/token</c>: <c>authorization_code</c>, <c>refresh_token</c> and <c>client_credentials</c>.
/// Every answer is JSON with <c>Cache-Control: no-store</c>; every refusal is an RFC 6749 §5.2 error.
/// client_credentials reads and signs only: it appends nothing (ADR 0004).
/// </summary>
public static class TokenEndpoint
{
    public const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapToken(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(OidcPaths.Token, (Func<HttpContext, Task<IResult>>)HandleAsync).ExcludeFromDescription().DisableAntiforgery();
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(HttpContext http)
    {
        try
        {
            var form = await ProtocolForm.ReadAsync(http, MaxBodyBytes).ConfigureAwait(false);
            var services = http.RequestServices;
            var tenant = await ProtocolForm.TenantAsync(http).ConfigureAwait(false);
            var grantType = ProtocolForm.Single(form, "grant_type");
            if (grantType is null)
            {
                throw new OAuthException(OAuthErrors.InvalidRequest, "grant_type is required.");
            }

            if (grantType is not ("authorization_code" or "refresh_token" or "client_credentials"))
            {
                throw new OAuthException(OAuthErrors.UnsupportedGrantType, "The grant type is not supported.");
            }

            var client = (await services.GetRequiredService<ClientAuthenticator>().AuthenticateAsync(http, tenant, form).ConfigureAwait(false)).View;
            if (!client.GrantTypes.Contains(grantType))
            {
                throw new OAuthException(OAuthErrors.UnauthorizedClient, "The client may not use this grant type.");
            }

            var lifetimes = (await services.GetRequiredService<ITokenLifetimePolicy>().GetAsync(tenant.TenantId, http.RequestAborted).ConfigureAwait(false)).For(client);
            var response = grantType switch
            {
                "client_credentials" => await ClientCredentialsAsync(services, tenant, client, form, lifetimes, http.RequestAborted).ConfigureAwait(false),
                "authorization_code" => await AuthorizationCodeAsync(services, tenant, client, form, lifetimes, http.RequestAborted).ConfigureAwait(false),
                _ => await RefreshAsync(services, tenant, client, form, lifetimes, http.RequestAborted).ConfigureAwait(false),
            };
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

    private static async Task<TokenResponse> ClientCredentialsAsync(
        IServiceProvider services, OidcTenant tenant, ClientView client, IFormCollection form, TokenLifetimes lifetimes, CancellationToken ct)
    {
        if (client.ClientType != "confidential")
        {
            throw new OAuthException(OAuthErrors.UnauthorizedClient, "Only a confidential client may use client_credentials.");
        }

        var requested = ProtocolForm.Scopes(ProtocolForm.Single(form, "scope"));
        var scopes = requested.Count == 0
            ? client.Scopes.Where(s => !UserScopes.Contains(s)).ToArray()
            : requested;
        foreach (var scope in scopes)
        {
            if (UserScopes.Contains(scope) || !client.Scopes.Contains(scope))
            {
                throw new OAuthException(OAuthErrors.InvalidScope, "A requested scope is not allowed for this client.");
            }
        }

        var (token, lifetime) = await services.GetRequiredService<TokenIssuer>()
            .AccessTokenAsync(tenant, client, client.ClientId, scopes, grant: null, roles: null, lifetimes, ct).ConfigureAwait(false);
        return new TokenResponse(token, "Bearer", (long)lifetime.TotalSeconds, string.Join(' ', scopes));
    }

    private static async Task<TokenResponse> AuthorizationCodeAsync(
        IServiceProvider services, OidcTenant tenant, ClientView client, IFormCollection form, TokenLifetimes lifetimes, CancellationToken ct)
    {
        var code = ProtocolForm.Single(form, "code") ?? throw new OAuthException(OAuthErrors.InvalidRequest, "code is required.");
        var redirectUri = ProtocolForm.Single(form, "redirect_uri") ?? throw new OAuthException(OAuthErrors.InvalidRequest, "redirect_uri is required.");
        var verifier = ProtocolForm.Single(form, "code_verifier");
        var redeemed = await services.GetRequiredService<ISender>().Send(
            new RedeemAuthorizationCode(tenant.TenantId, code, client.ClientId, redirectUri, verifier, client.GrantTypes.Contains("refresh_token"), lifetimes.RefreshToken), ct).ConfigureAwait(false);
        var grant = new UserGrant(
            redeemed.UserId, redeemed.SessionId, ProtocolForm.Scopes(redeemed.Scope), redeemed.AuthTime, redeemed.AuthMethods, redeemed.Acr, redeemed.Nonce, redeemed.RefreshFamilyId);
        return await UserTokensAsync(services, tenant, client, grant, redeemed.RefreshToken, includeNonce: true, lifetimes, ct).ConfigureAwait(false);
    }

    private static async Task<TokenResponse> RefreshAsync(
        IServiceProvider services, OidcTenant tenant, ClientView client, IFormCollection form, TokenLifetimes lifetimes, CancellationToken ct)
    {
        var presented = ProtocolForm.Single(form, "refresh_token") ?? throw new OAuthException(OAuthErrors.InvalidRequest, "refresh_token is required.");
        var requested = ProtocolForm.Scopes(ProtocolForm.Single(form, "scope"));
        var rotated = await services.GetRequiredService<ISender>().Send(new RotateRefreshToken(tenant.TenantId, presented, client.ClientId), ct).ConfigureAwait(false);
        var granted = ProtocolForm.Scopes(rotated.Scope);

        // RFC 6749 §6: a narrower scope may be asked for, never a wider one.
        if (requested.Any(s => !granted.Contains(s)))
        {
            throw new OAuthException(OAuthErrors.InvalidScope, "The requested scope exceeds the one originally granted.");
        }

        var grant = new UserGrant(
            rotated.UserId, rotated.SessionId, requested.Count > 0 ? requested : granted, rotated.AuthTime, rotated.AuthMethods, rotated.Acr, null, rotated.FamilyId);
        return await UserTokensAsync(services, tenant, client, grant, rotated.RefreshToken, includeNonce: false, lifetimes, ct).ConfigureAwait(false);
    }

    private static async Task<TokenResponse> UserTokensAsync(
        IServiceProvider services, OidcTenant tenant, ClientView client, UserGrant grant, string? refreshToken, bool includeNonce, TokenLifetimes lifetimes, CancellationToken ct)
    {
        var userClaims = services.GetRequiredService<UserClaims>();
        var user = await userClaims.ActiveUserAsync(tenant.TenantId, grant.UserId, ct).ConfigureAwait(false)
            ?? throw new OAuthException(OAuthErrors.InvalidGrant, "The user can no longer sign in.");

        // ADR 0006: a locked-out user gets no tokens from a code or a refresh token either, until the lock ends.
        if (await services.GetRequiredService<KoderId.Application.Flows.FlowGuard>().IsLockedAsync(tenant.TenantId, grant.UserId, ct).ConfigureAwait(false))
        {
            throw new OAuthException(OAuthErrors.InvalidGrant, "The user can no longer sign in.");
        }
        var roles = await userClaims.RolesAsync(tenant.TenantId, grant.UserId, ct).ConfigureAwait(false);
        var issuer = services.GetRequiredService<TokenIssuer>();
        var (accessToken, lifetime) = await issuer.AccessTokenAsync(tenant, client, grant.UserId, grant.Scopes, grant, roles, lifetimes, ct).ConfigureAwait(false);
        string? idToken = null;
        if (grant.Scopes.Contains("openid"))
        {
            idToken = await issuer.IdTokenAsync(tenant, client, user, grant, accessToken, includeNonce, lifetimes, ct, roles).ConfigureAwait(false);
        }

        return new TokenResponse(accessToken, "Bearer", (long)lifetime.TotalSeconds, string.Join(' ', grant.Scopes), idToken, refreshToken);
    }

    private static readonly HashSet<string> UserScopes = new(StringComparer.Ordinal)
    {
        "openid", "profile", "email", "phone", "address", "offline_access", UserClaims.MetadataScope, UserClaims.ZitadelMetadataScope,
    };
}
