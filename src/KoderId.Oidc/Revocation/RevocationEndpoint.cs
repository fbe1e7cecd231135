using KoderId.Application.Common;
using KoderId.Application.Grants;
using KoderId.Domain;
using KoderId.Domain.Grants;
using KoderId.Oidc.Clients;
using KoderId.Oidc.Common;
using KoderId.Oidc.Keys;
using KoderId.Oidc.Token;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Revocation;

/// <summary>A validated revocation request (RFC 7009 §2.1).</summary>
public sealed record RevocationRequest(OidcTenant Tenant, AuthenticatedClient Client, string Token, string? Hint);

/// <summary>
/// The request rules: a form POST, an authenticated client (a public client names itself: RFC 7009 §2.1 lets it
/// revoke its own tokens), exactly one <c>token</c>. A <c>token_type_hint</c> we do not know is ignored (RFC 7009
/// §2.1: the server may ignore a hint and search all its token types); both types we issue can be revoked, so
/// <c>unsupported_token_type</c> (KID2145) is never answered. A blocked tenant still revokes: taking access away
/// must always work.
/// </summary>
public static class RevocationRequestValidator
{
    public static async Task<RevocationRequest> ValidateAsync(HttpContext http, int maxBodyBytes)
    {
        ArgumentNullException.ThrowIfNull(http);
        var form = await ProtocolForm.ReadAsync(http, maxBodyBytes).ConfigureAwait(false);
        var tenant = await http.RequestServices.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: false, http.RequestAborted).ConfigureAwait(false);
        var client = await http.RequestServices.GetRequiredService<ClientAuthenticator>().AuthenticateAsync(http, tenant, form).ConfigureAwait(false);
        var token = ProtocolForm.Single(form, "token") ?? throw new OAuthException(OAuthErrors.InvalidRequest, "token is required.");
        var hint = ProtocolForm.Single(form, "token_type_hint") is "access_token" or "refresh_token" ? form["token_type_hint"].ToString() : null;
        return new RevocationRequest(tenant, client, token, hint);
    }
}

/// <summary>What a revocation did; the response is 200 whatever it is (RFC 7009 §2.2).</summary>
public enum RevocationOutcome
{
    /// <summary>Unknown, malformed, expired, another tenant's: nothing to do.</summary>
    Unknown,

    /// <summary>The token is another client's: RFC 7009 §2.1 lets only its own client revoke it.</summary>
    OtherClient,

    /// <summary>A refresh family ended (a refresh token, or an access token naming its family).</summary>
    FamilyRevoked,

    /// <summary>An access token without a family: its <c>jti</c> is recorded until its <c>exp</c>.</summary>
    AccessTokenRevoked,
}

/// <summary>
/// RFC 7009 §2.1: a refresh token ends its whole family (<see cref="RevokeRefreshToken"/>); an access token ends
/// the family it came from (<c>rfid</c>), or, without one, is recorded as revoked by <c>jti</c>
/// (<c>grant.access-token-revoked.v1</c>). Introspection and userinfo consult both at once.
/// </summary>
public sealed class RevocationHandler(ISender sender, JwtValidator jwt, IClock clock)
{
    public async ValueTask<RevocationOutcome> HandleAsync(RevocationRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenantId = request.Tenant.TenantId;
        if (RefreshTokenFormat.TryParse(request.Token, out _, out _))
        {
            try
            {
                var revoked = await sender.Send(new RevokeRefreshToken(tenantId, request.Token, request.Client.ClientId), ct).ConfigureAwait(false);
                return revoked.FamilyId is null ? RevocationOutcome.Unknown : RevocationOutcome.FamilyRevoked;
            }
            catch (DomainException error) when (error.Code == DomainErrors.RefreshClientMismatch)
            {
                return RevocationOutcome.OtherClient;
            }
        }

        var result = await jwt.ValidateAsync(tenantId, request.Tenant.Issuer, request.Token, TokenIssuer.AccessTokenType, ct).ConfigureAwait(false);
        if (result.Token is not { } token)
        {
            return RevocationOutcome.Unknown;
        }

        if (!string.Equals(token.Claim("client_id"), request.Client.ClientId, StringComparison.Ordinal))
        {
            return RevocationOutcome.OtherClient;
        }

        if (token.Claim("rfid") is { } familyId)
        {
            try
            {
                await sender.Send(new RevokeRefreshFamily(tenantId, familyId, RefreshRevokeReasons.Revoked), ct).ConfigureAwait(false);
                return RevocationOutcome.FamilyRevoked;
            }
            catch (DomainException error) when (error.Code == DomainErrors.RefreshNotFound)
            {
                return RevocationOutcome.Unknown;
            }
        }

        if (token.Claim("jti") is not { } jti || !AccessTokenRevocation.IsJti(jti)
            || !token.Claims.GetProperty("exp").TryGetInt64(out var exp))
        {
            return RevocationOutcome.Unknown;
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (expiresAt <= clock.UtcNow)
        {
            return RevocationOutcome.Unknown;
        }

        await sender.Send(new RevokeAccessToken(tenantId, jti, request.Client.ClientId, expiresAt, token.Claim("sid")), ct).ConfigureAwait(false);
        return RevocationOutcome.AccessTokenRevoked;
    }
}

/// <summary><c>POST /oauth/v2/revoke</c> (RFC 7009): 200 with an empty body for every token, valid or not.</summary>
public static class RevocationEndpoint
{
    public const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapRevocation(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(OidcPaths.Revoke, (Func<HttpContext, Task<IResult>>)HandleAsync).ExcludeFromDescription().DisableAntiforgery();
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(HttpContext http)
    {
        try
        {
            var request = await RevocationRequestValidator.ValidateAsync(http, MaxBodyBytes).ConfigureAwait(false);
            await http.RequestServices.GetRequiredService<RevocationHandler>().HandleAsync(request, http.RequestAborted).ConfigureAwait(false);
            OAuthResults.SetNoStore(http.Response);
            return Results.Ok();
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
