namespace KoderId.Application.Credentials;

/// <summary>What a tenant asks of passwords: the rules a new one must meet and the Argon2id cost it is stored at.</summary>
public sealed record CredentialPolicy(PasswordPolicy Password, PasswordHashingPolicy Hashing)
{
    public static CredentialPolicy Default { get; } = new(PasswordPolicy.Default, PasswordHashingPolicy.Default);
}

/// <summary>
/// The credential policy of a tenant: <see cref="TenantCredentialPolicies"/> reads the tenant's settings;
/// <see cref="DefaultCredentialPolicies"/> answers the NIST and OWASP defaults where no settings are available.
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

/// <summary>
/// Each tenant's own policy, from its settings (<see cref="Tenants.ITenantSettingsProvider"/>); a tenant without
/// settings has the defaults. A change of the Argon2id cost reaches stored hashes at their next sign-in.
/// </summary>
public sealed class TenantCredentialPolicies(Tenants.ITenantSettingsProvider settings) : ICredentialPolicies
{
    public async ValueTask<CredentialPolicy> GetAsync(string tenantId, CancellationToken ct)
    {
        var password = (await settings.GetAsync(tenantId, ct).ConfigureAwait(false)).Password;
        return new CredentialPolicy(
            new PasswordPolicy(password.MinLength, password.MaxLength),
            new PasswordHashingPolicy(password.Hashing.MemoryKiB, password.Hashing.Iterations, password.Hashing.Parallelism));
    }
}
