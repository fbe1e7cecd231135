using KoderId.Application.Tenants;
using KoderId.Domain.Keys;
using KoderId.Oidc.Keys;

namespace KoderId.Oidc.Token;

/// <summary>Token lifetimes from the tenant's settings (ADR 0005).</summary>
public sealed class TenantTokenLifetimes(ITenantSettingsProvider settings) : ITokenLifetimePolicy
{
    public async ValueTask<TokenLifetimes> GetAsync(string tenantId, CancellationToken ct)
    {
        var tokens = (await settings.GetAsync(tenantId, ct).ConfigureAwait(false)).Tokens;
        return new TokenLifetimes(
            TimeSpan.FromSeconds(tokens.AccessTokenSeconds),
            TimeSpan.FromSeconds(tokens.IdTokenSeconds),
            TimeSpan.FromSeconds(tokens.RefreshTokenSeconds),
            TimeSpan.FromSeconds(tokens.AuthorizationCodeSeconds));
    }
}

/// <summary>
/// Signing algorithms from the tenant's settings: access tokens by the tenant's choice; ID tokens by the
/// client's registered <c>id_token_signed_response_alg</c>, else the tenant's.
/// </summary>
public sealed class TenantSigningAlgorithmPolicy(ITenantSettingsProvider settings) : ISigningAlgorithmPolicy
{
    public async ValueTask<string> AccessTokenAlgorithmAsync(string tenantId, CancellationToken ct = default)
    {
        var algorithm = (await settings.GetAsync(tenantId, ct).ConfigureAwait(false)).Signing.AccessTokenAlgorithm;
        return SigningAlgorithms.IsSupported(algorithm) ? algorithm : SigningAlgorithms.ES256;
    }

    public async ValueTask<string> IdTokenAlgorithmAsync(string tenantId, string? clientAlgorithm = null, CancellationToken ct = default)
    {
        if (SigningAlgorithms.IsSupported(clientAlgorithm))
        {
            return clientAlgorithm!;
        }

        var algorithm = (await settings.GetAsync(tenantId, ct).ConfigureAwait(false)).Signing.IdTokenAlgorithm;
        return SigningAlgorithms.IsSupported(algorithm) ? algorithm : SigningAlgorithms.RS256;
    }
}
