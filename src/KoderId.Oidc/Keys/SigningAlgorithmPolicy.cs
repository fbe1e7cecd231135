using KoderId.Domain.Keys;

namespace KoderId.Oidc.Keys;

/// <summary>
/// Which algorithm signs which token for a tenant. A seam: the defaults (ADR 0004) until tenant settings carry
/// the choice, then an implementation that reads them replaces this registration.
/// </summary>
public interface ISigningAlgorithmPolicy
{
    ValueTask<string> AccessTokenAlgorithmAsync(string tenantId, CancellationToken ct = default);

    /// <param name="clientAlgorithm">The client's registered <c>id_token_signed_response_alg</c>, if any.</param>
    ValueTask<string> IdTokenAlgorithmAsync(string tenantId, string? clientAlgorithm = null, CancellationToken ct = default);
}

/// <summary>Access tokens ES256 (an ECDSA signature is far cheaper than RSA-2048: the hot path), ID tokens RS256 (OIDC's default).</summary>
public sealed class DefaultSigningAlgorithmPolicy : ISigningAlgorithmPolicy
{
    public ValueTask<string> AccessTokenAlgorithmAsync(string tenantId, CancellationToken ct = default) => ValueTask.FromResult(SigningAlgorithms.ES256);

    public ValueTask<string> IdTokenAlgorithmAsync(string tenantId, string? clientAlgorithm = null, CancellationToken ct = default) =>
        ValueTask.FromResult(SigningAlgorithms.IsSupported(clientAlgorithm) ? clientAlgorithm! : SigningAlgorithms.RS256);
}
