using KoderId.Domain.ApiKeys;
using KoderId.Events.ApiKeys;

namespace KoderId.Domain.Tests.ApiKeys;

public sealed class ApiKeySpecs
{
    private const string Id = "0197a3f2c1d47c3e9b5a2f6d8e0c1b2a";
    private const string Hash = "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg";
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static Spec<ApiKeyState> Key() => new(ApiKeyState.Initial, ApiKey.Evolve);

    [Fact]
    public void a_key_is_created_with_its_hash_and_scopes() =>
        Key().When(s => ApiKey.Create(s, Id, " CI ", ["users:read"], false, Now.AddDays(1), Hash, Now))
            .Then(new ApiKeyCreated(Id, "CI", ["users:read"], Hash, false, Now.AddDays(1)));

    [Fact]
    public void unknown_empty_or_repeated_scopes_are_refused()
    {
        Key().When(s => ApiKey.Create(s, Id, "k", ["root"], false, null, Hash, Now)).ThenFails(DomainErrors.ApiKeyInvalidScope);
        Key().When(s => ApiKey.Create(s, Id, "k", [], false, null, Hash, Now)).ThenFails(DomainErrors.ApiKeyInvalidScope);
        Key().When(s => ApiKey.Create(s, Id, "k", ["admin", "admin"], false, null, Hash, Now)).ThenFails(DomainErrors.ApiKeyInvalidScope);
    }

    [Fact]
    public void tenants_admin_is_only_for_system_keys()
    {
        Key().When(s => ApiKey.Create(s, Id, "k", ["tenants:admin"], false, null, Hash, Now)).ThenFails(DomainErrors.ApiKeyScopeNotAllowed);
        Key().When(s => ApiKey.Create(s, Id, "k", ["tenants:admin"], true, null, Hash, Now))
            .Then(new ApiKeyCreated(Id, "k", ["tenants:admin"], Hash, true));
    }

    [Fact]
    public void a_key_cannot_be_created_already_expired_nor_with_a_blank_name()
    {
        Key().When(s => ApiKey.Create(s, Id, "k", ["admin"], false, Now, Hash, Now)).ThenFails(DomainErrors.ApiKeyInvalidExpiry);
        Key().When(s => ApiKey.Create(s, Id, "  ", ["admin"], false, null, Hash, Now)).ThenFails(DomainErrors.ApiKeyInvalidName);
    }

    [Fact]
    public void a_key_id_is_created_once() =>
        Key().Given(new ApiKeyCreated(Id, "k", ["admin"], Hash))
            .When(s => ApiKey.Create(s, Id, "k", ["admin"], false, null, Hash, Now)).ThenFails(DomainErrors.ApiKeyIdTaken);

    [Fact]
    public void revoking_is_once_and_a_missing_key_is_not_found()
    {
        Key().Given(new ApiKeyCreated(Id, "k", ["admin"], Hash)).When(ApiKey.Revoke).Then(new ApiKeyRevoked(Id));
        Key().Given(new ApiKeyCreated(Id, "k", ["admin"], Hash), new ApiKeyRevoked(Id)).When(ApiKey.Revoke).ThenNothing();
        Key().When(ApiKey.Revoke).ThenFails(DomainErrors.ApiKeyNotFound);
    }

    [Fact]
    public void admin_implies_every_tenant_scope_but_not_tenants_admin()
    {
        Assert.True(ApiKeyScopes.Grants(["admin"], ApiKeyScopes.UsersWrite));
        Assert.True(ApiKeyScopes.Grants(["admin"], ApiKeyScopes.AuditRead));
        Assert.False(ApiKeyScopes.Grants(["admin"], ApiKeyScopes.TenantsAdmin));
        Assert.False(ApiKeyScopes.Grants(["users:read"], ApiKeyScopes.UsersWrite));
        Assert.True(ApiKeyScopes.Grants(["users:read"], ApiKeyScopes.UsersRead));
    }
}
