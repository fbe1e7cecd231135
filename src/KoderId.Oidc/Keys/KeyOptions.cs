using KoderId.Domain.Keys;

namespace KoderId.Oidc.Keys;

/// <summary><c>KoderId:Oidc</c>: how the signing keys rotate (the KEK is read by the host, see <see cref="KeyEncryptionKeys"/>).</summary>
public sealed class KeyOptions
{
    /// <summary>How long a key signs before its successor takes over.</summary>
    public TimeSpan KeyRotationInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a new key is in JWKS before it signs (well above the JWKS <c>max-age</c>).</summary>
    public TimeSpan KeyPropagationDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest lifetime of a JWT we sign (ID tokens, 1 h by default): a retired key stays in JWKS this long.</summary>
    public TimeSpan MaxSignedTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the rotation service looks for keys that are due.</summary>
    public TimeSpan KeyRotationCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a node serves the key set it read before re-reading (other nodes' rotations).</summary>
    public TimeSpan KeyCacheLifetime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The validator's tolerance for clocks that disagree; also added to a retired key's publication.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    public KeyRotationPolicy Policy() => new(KeyRotationInterval, KeyPropagationDelay, MaxSignedTokenLifetime + ClockSkew);
}
