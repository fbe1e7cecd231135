using System.Security.Cryptography;
using System.Text;
using KoderId.Oidc.Common;
using KoderId.Oidc.Keys;
using KoderId.Projections.Clients;
using KoderId.Projections.Users;
using Microsoft.AspNetCore.WebUtilities;

namespace KoderId.Oidc.Token;

/// <summary>A user grant's facts, from a redeemed code or a rotated refresh token.</summary>
public sealed record UserGrant(
    string UserId,
    string SessionId,
    IReadOnlyList<string> Scopes,
    DateTimeOffset AuthTime,
    IReadOnlyList<string> AuthMethods,
    string? Acr,
    string? Nonce,
    string? RefreshFamilyId);

/// <summary>The lifetimes a token gets: the client's override, else the tenant's setting.</summary>
public sealed record TokenLifetimes(TimeSpan AccessToken, TimeSpan IdToken, TimeSpan RefreshToken, TimeSpan AuthorizationCode)
{
    public static TokenLifetimes Default { get; } = new(TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), TimeSpan.FromDays(30), TimeSpan.FromSeconds(60));

    public TokenLifetimes For(ClientView client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return this with
        {
            AccessToken = client.AccessTokenLifetime is { } a ? TimeSpan.FromSeconds(a) : AccessToken,
            IdToken = client.IdTokenLifetime is { } i ? TimeSpan.FromSeconds(i) : IdToken,
            RefreshToken = client.RefreshTokenLifetime is { } r ? TimeSpan.FromSeconds(r) : RefreshToken,
        };
    }
}

/// <summary>Port: a tenant's token lifetimes (tenant settings).</summary>
public interface ITokenLifetimePolicy
{
    ValueTask<TokenLifetimes> GetAsync(string tenantId, CancellationToken ct);
}

/// <summary>
/// Mints access tokens (RFC 9068: <c>typ: at+jwt</c>, <c>iss</c>, <c>sub</c>, <c>aud</c>, <c>exp</c>, <c>iat</c>,
/// <c>jti</c>, <c>client_id</c>, <c>scope</c>, <c>tid</c>, <c>sid</c>, <c>roles</c>) and ID tokens (OIDC Core §2:
/// <c>at_hash</c>, <c>nonce</c>, <c>auth_time</c>, <c>amr</c>, <c>acr</c>, <c>sid</c>).
/// </summary>
public sealed class TokenIssuer(ITokenSigner signer, ISigningAlgorithmPolicy algorithms, UserClaims userClaims, TimeProvider time)
{
    public const string AccessTokenType = "at+jwt";

    public async ValueTask<(string Token, TimeSpan Lifetime)> AccessTokenAsync(
        OidcTenant tenant, ClientView client, string subject, IReadOnlyList<string> scopes, UserGrant? grant, IReadOnlyList<string>? roles, TokenLifetimes lifetimes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(client);
        var now = time.GetUtcNow();
        var claims = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["iss"] = tenant.Issuer,
            ["sub"] = subject,
            ["aud"] = client.ClientId,
            ["exp"] = now.Add(lifetimes.AccessToken).ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["jti"] = NewJti(),
            ["client_id"] = client.ClientId,
            ["scope"] = string.Join(' ', scopes),
            ["tid"] = tenant.TenantId,
        };
        if (grant is not null)
        {
            claims["sid"] = grant.SessionId;
            claims["auth_time"] = grant.AuthTime.ToUnixTimeSeconds();
            if (grant.Acr is not null)
            {
                claims["acr"] = grant.Acr;
            }

            if (grant.RefreshFamilyId is not null)
            {
                // The refresh family the token came from: introspection treats a revoked family's tokens as inactive.
                claims["rfid"] = grant.RefreshFamilyId;
            }
        }

        if (roles is not null)
        {
            claims["roles"] = roles;
        }

        var algorithm = await algorithms.AccessTokenAlgorithmAsync(tenant.TenantId, ct).ConfigureAwait(false);
        return (await signer.SignAsync(tenant.TenantId, algorithm, AccessTokenType, claims, ct).ConfigureAwait(false), lifetimes.AccessToken);
    }

    public async ValueTask<string> IdTokenAsync(
        OidcTenant tenant, ClientView client, UserView user, UserGrant grant, string accessToken, bool includeNonce, TokenLifetimes lifetimes, CancellationToken ct,
        IReadOnlyList<string>? roles = null)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(grant);
        var now = time.GetUtcNow();
        var algorithm = await algorithms.IdTokenAlgorithmAsync(tenant.TenantId, client.IdTokenSignedResponseAlg, ct).ConfigureAwait(false);
        var claims = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["iss"] = tenant.Issuer,
            ["sub"] = grant.UserId,
            ["aud"] = client.ClientId,
            ["exp"] = now.Add(lifetimes.IdToken).ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["auth_time"] = grant.AuthTime.ToUnixTimeSeconds(),
            ["at_hash"] = AtHash(accessToken),
            ["sid"] = grant.SessionId,
            ["azp"] = client.ClientId,
            ["amr"] = grant.AuthMethods,
        };
        if (grant.Acr is not null)
        {
            claims["acr"] = grant.Acr;
        }

        if (includeNonce && grant.Nonce is not null)
        {
            claims["nonce"] = grant.Nonce;
        }

        await userClaims.AddAsync(claims, user, grant.Scopes, ct, roles).ConfigureAwait(false);
        return await signer.SignAsync(tenant.TenantId, algorithm, "JWT", claims, ct).ConfigureAwait(false);
    }

    /// <summary>OIDC Core §3.1.3.6: base64url of the left half of the SHA-256 of the token's ASCII (RS256 and ES256 both hash with SHA-256).</summary>
    public static string AtHash(string accessToken)
    {
        ArgumentNullException.ThrowIfNull(accessToken);
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(accessToken));
        return WebEncoders.Base64UrlEncode(hash, 0, hash.Length / 2);
    }

    private static string NewJti() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));
}
