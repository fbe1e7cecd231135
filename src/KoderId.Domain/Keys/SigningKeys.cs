using System.Collections.Immutable;
using KoderId.Events.Keys;

namespace KoderId.Domain.Keys;

/// <summary>The JWS algorithms a tenant signs with; each has one active key at a time (ADR 0004).</summary>
public static class SigningAlgorithms
{
    public const string RS256 = "RS256";
    public const string ES256 = "ES256";

    public static readonly ImmutableArray<string> All = [RS256, ES256];

    public static bool IsSupported(string? algorithm) => algorithm is RS256 or ES256;
}

/// <summary>One key of the tenant's issuer as the log knows it: public half, when it signs, until when it is published.</summary>
/// <param name="RetiredAt">When a successor took over signing; null while it is the newest key of its algorithm.</param>
/// <param name="ExpiresAt">When the last token it can have signed has expired: it leaves JWKS then.</param>
public sealed record SigningKeyState(
    string KeyId,
    string Algorithm,
    PublicJsonWebKey PublicKey,
    string PrivateKeyRef,
    DateTimeOffset ActivatesAt,
    DateTimeOffset? RetiredAt,
    DateTimeOffset? ExpiresAt);

public sealed record SigningKeysState(ImmutableList<SigningKeyState> Keys)
{
    public static readonly SigningKeysState Initial = new(ImmutableList<SigningKeyState>.Empty);

    /// <summary>The newest key of an algorithm (the one a rotation replaces), active or still pending.</summary>
    public SigningKeyState? Newest(string algorithm) =>
        Keys.Where(k => k.Algorithm == algorithm).MaxBy(k => k.ActivatesAt);
}

/// <param name="Interval">How long a key signs before its successor takes over.</param>
/// <param name="PropagationDelay">How long a new key is published before it signs, so relying parties' cached JWKS learn it first.</param>
/// <param name="MaxTokenLifetime">The longest lifetime a JWT signed by one of our keys can have (plus clock skew).</param>
public sealed record KeyRotationPolicy(TimeSpan Interval, TimeSpan PropagationDelay, TimeSpan MaxTokenLifetime);

/// <summary>
/// What a rotation must create for one algorithm; the caller makes the key pair (randomness is I/O) and turns the
/// plan into a <see cref="KeyRotated"/> with <see cref="SigningKeys.Rotated"/>.
/// </summary>
public sealed record KeyRotationPlan(string Algorithm, DateTimeOffset ActivatesAt, string? RetiredKeyId, DateTimeOffset? RetiredKeyExpiresAt);

/// <summary>
/// Decisions on the <c>signing-keys-{tenant}</c> stream. A tenant without a key of an algorithm gets one that signs
/// at once (nothing could sign before it); later keys are published <see cref="KeyRotationPolicy.PropagationDelay"/>
/// before they sign, and the key they replace stays published until every token it signed has expired.
/// </summary>
public static class SigningKeys
{
    public static string StreamId(string tenantId) => $"signing-keys-{tenantId}";

    public static SigningKeysState Evolve(SigningKeysState state, object @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (@event is not KeyRotated e)
        {
            return state;
        }

        var keys = state.Keys;
        if (e.RetiredKeyId is { } retired && keys.FindIndex(k => k.KeyId == retired) is var i and >= 0)
        {
            keys = keys.SetItem(i, keys[i] with { RetiredAt = e.ActivatesAt, ExpiresAt = e.RetiredKeyExpiresAt });
        }

        return new SigningKeysState(keys.Add(new SigningKeyState(e.KeyId, e.Algorithm, e.PublicKey, e.PrivateKeyRef, e.ActivatesAt, null, null)));
    }

    /// <summary>The rotations due at <paramref name="now"/>, one per algorithm at most; empty when every key is current.</summary>
    public static IReadOnlyList<KeyRotationPlan> Plan(SigningKeysState state, IEnumerable<string> algorithms, KeyRotationPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(algorithms);
        ArgumentNullException.ThrowIfNull(policy);
        var plans = new List<KeyRotationPlan>();
        foreach (var algorithm in algorithms.Distinct(StringComparer.Ordinal))
        {
            if (!SigningAlgorithms.IsSupported(algorithm))
            {
                throw new DomainException(DomainErrors.SigningKeyUnsupportedAlgorithm, "Signing keys are RS256 or ES256.");
            }

            var newest = state.Newest(algorithm);
            if (newest is null)
            {
                plans.Add(new KeyRotationPlan(algorithm, now, null, null));
                continue;
            }

            // A successor already published and waiting to sign is the rotation in progress.
            if (newest.ActivatesAt > now)
            {
                continue;
            }

            var delay = policy.PropagationDelay < policy.Interval ? policy.PropagationDelay : TimeSpan.Zero;
            if (now + delay >= newest.ActivatesAt + policy.Interval)
            {
                var activatesAt = now + delay;
                plans.Add(new KeyRotationPlan(algorithm, activatesAt, newest.KeyId, activatesAt + policy.MaxTokenLifetime));
            }
        }

        return plans;
    }

    public static KeyRotated Rotated(KeyRotationPlan plan, string keyId, PublicJsonWebKey publicKey, string privateKeyRef)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new KeyRotated(keyId, plan.Algorithm, publicKey, privateKeyRef, plan.ActivatesAt, plan.RetiredKeyId, plan.RetiredKeyExpiresAt);
    }
}
