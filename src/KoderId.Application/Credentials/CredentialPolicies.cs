namespace KoderId.Application.Credentials;

/// <summary>What a tenant asks of passwords: the rules a new one must meet and the Argon2id cost it is stored at.</summary>
public sealed record CredentialPolicy(PasswordPolicy Password, PasswordHashingPolicy Hashing)
{
    public static CredentialPolicy Default { get; } = new(PasswordPolicy.Default, PasswordHashingPolicy.Default);
}

/// <summary>
/// The credential policy of a tenant. The tenant settings feature supplies the per-tenant values; until a
/// tenant has its own, <see cref="DefaultCredentialPolicies"/> answers the NIST and OWASP defaults.
/// </summary>
public interface ICredentialPolicies
{
    ValueTask<CredentialPolicy> GetAsync(string tenantId, CancellationToken ct);
}

/// <summary>One policy for every tenant.</summary>
public sealed class DefaultCredentialPolicies(CredentialPolicy? policy = null) : ICredentialPolicies
{
    private readonly CredentialPolicy _policy = policy ?? CredentialPolicy.Default;

    public ValueTask<CredentialPolicy> GetAsync(string tenantId, CancellationToken ct) => ValueTask.FromResult(_policy);
}
