using KoderId.Domain.Tenants;
using KoderId.Events.Tenants;
using Decide = KoderId.Domain.Tenants.Tenant;

namespace KoderId.Domain.Tests.Tenants;

public sealed class TenantSpecs
{
    private static Spec<TenantState> Tenant() => new(TenantState.Initial, Decide.Evolve);

    private static readonly TenantCreated AcmeCreated = new("acme", "Acme Inc.");

    [Fact]
    public void a_new_tenant_is_created_with_a_trimmed_name() =>
        Tenant().When(s => Decide.Create(s, "acme", "  Acme Inc. ")).Then(AcmeCreated);

    [Theory]
    [InlineData("a")]
    [InlineData("Acme")]
    [InlineData("-acme")]
    [InlineData("acme-")]
    [InlineData("ac_me")]
    [InlineData("acme\n")]
    [InlineData("")]
    public void a_tenant_id_that_is_not_a_slug_is_refused(string id) =>
        Tenant().When(s => Decide.Create(s, id, "Acme")).ThenFails(DomainErrors.TenantInvalidId);

    [Fact]
    public void a_tenant_id_of_63_characters_is_accepted_and_64_is_refused()
    {
        Tenant().When(s => Decide.Create(s, new string('a', 63), "Long")).Then(new TenantCreated(new string('a', 63), "Long"));
        Tenant().When(s => Decide.Create(s, new string('a', 64), "Long")).ThenFails(DomainErrors.TenantInvalidId);
    }

    [Fact]
    public void the_default_tenant_is_reserved_for_bootstrap()
    {
        Tenant().When(s => Decide.Create(s, "default", "Default")).ThenFails(DomainErrors.TenantReservedId);
        Tenant().When(s => Decide.Create(s, "default", "Default", bootstrap: true)).Then(new TenantCreated("default", "Default"));
    }

    [Fact]
    public void creating_an_existing_tenant_is_refused() =>
        Tenant().Given(AcmeCreated).When(s => Decide.Create(s, "acme", "Again")).ThenFails(DomainErrors.TenantExists);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bad\u0007name")]
    public void an_empty_or_unprintable_name_is_refused(string name) =>
        Tenant().When(s => Decide.Create(s, "acme", name)).ThenFails(DomainErrors.TenantInvalidName);

    [Fact]
    public void renaming_to_the_same_name_appends_nothing() =>
        Tenant().Given(AcmeCreated).When(s => Decide.Rename(s, "Acme Inc.")).ThenNothing();

    [Fact]
    public void renaming_appends_the_new_name() =>
        Tenant().Given(AcmeCreated).When(s => Decide.Rename(s, "Acme Corp")).Then(new TenantRenamed("acme", "Acme Corp"));

    [Fact]
    public void renaming_a_missing_tenant_is_not_found() =>
        Tenant().When(s => Decide.Rename(s, "X")).ThenFails(DomainErrors.TenantNotFound);

    [Fact]
    public void blocking_twice_appends_once()
    {
        Tenant().Given(AcmeCreated).When(s => Decide.Block(s, "unpaid")).Then(new TenantBlocked("acme", "unpaid"));
        Tenant().Given(AcmeCreated, new TenantBlocked("acme", "unpaid")).When(s => Decide.Block(s, "again")).ThenNothing();
    }

    [Fact]
    public void a_block_needs_a_reason() =>
        Tenant().Given(AcmeCreated).When(s => Decide.Block(s, " ")).ThenFails(DomainErrors.TenantInvalidReason);

    [Fact]
    public void unblocking_an_active_tenant_appends_nothing_and_a_blocked_one_is_unblocked()
    {
        Tenant().Given(AcmeCreated).When(Decide.Unblock).ThenNothing();
        var after = Tenant().Given(AcmeCreated, new TenantBlocked("acme", "unpaid")).When(Decide.Unblock)
            .Then(new TenantUnblocked("acme")).After;
        Assert.Equal(TenantStatus.Active, after.Status);
        Assert.Null(after.BlockedReason);
    }

    [Fact]
    public void the_default_tenant_can_be_neither_blocked_nor_deleted()
    {
        var created = new TenantCreated("default", "Default");
        Tenant().Given(created).When(s => Decide.Block(s, "x")).ThenFails(DomainErrors.TenantDefaultProtected);
        Tenant().Given(created).When(Decide.Delete).ThenFails(DomainErrors.TenantDefaultProtected);
    }

    [Fact]
    public void a_deleted_tenant_refuses_every_change_and_deleting_again_appends_nothing()
    {
        var deleted = Tenant().Given(AcmeCreated, new TenantDeleted("acme"));
        deleted.When(s => Decide.Rename(s, "X")).ThenFails(DomainErrors.TenantDeleted);
        deleted.When(s => Decide.Block(s, "x")).ThenFails(DomainErrors.TenantDeleted);
        deleted.When(s => Decide.AddDomain(s, "login.acme.com", false, null)).ThenFails(DomainErrors.TenantDeleted);
        deleted.When(Decide.Delete).ThenNothing();
    }

    [Fact]
    public void user_writes_need_an_active_tenant()
    {
        Assert.Equal(DomainErrors.TenantNotFound, Assert.Throws<DomainException>(() => Decide.EnsureAcceptsUserWrites(TenantState.Initial)).Code);
        var blocked = Tenant().Given(AcmeCreated, new TenantBlocked("acme", "unpaid")).State;
        Assert.Equal(DomainErrors.TenantBlocked, Assert.Throws<DomainException>(() => Decide.EnsureAcceptsUserWrites(blocked)).Code);
        var deleted = Tenant().Given(AcmeCreated, new TenantDeleted("acme")).State;
        Assert.Equal(DomainErrors.TenantDeleted, Assert.Throws<DomainException>(() => Decide.EnsureAcceptsUserWrites(deleted)).Code);
        Decide.EnsureAcceptsUserWrites(Tenant().Given(AcmeCreated).State);
    }

    [Fact]
    public void the_tenants_own_subdomain_of_the_base_domain_is_verified_at_once() =>
        Tenant().Given(AcmeCreated).When(s => Decide.AddDomain(s, "ACME.id.example.com.", true, "id.example.com"))
            .Then(new TenantDomainAdded("acme", "acme.id.example.com", Verified: true, Primary: true));

    [Fact]
    public void another_tenants_subdomain_of_the_base_domain_is_refused() =>
        Tenant().Given(AcmeCreated).When(s => Decide.AddDomain(s, "globex.id.example.com", false, "id.example.com"))
            .ThenFails(DomainErrors.TenantDomainNotAllowed);

    [Fact]
    public void a_custom_domain_is_added_unverified() =>
        Tenant().Given(AcmeCreated).When(s => Decide.AddDomain(s, "login.acme.com", false, "id.example.com"))
            .Then(new TenantDomainAdded("acme", "login.acme.com", Verified: false, Primary: false));

    [Theory]
    [InlineData("localhost")]
    [InlineData("bad_domain.com")]
    [InlineData("-acme.com")]
    [InlineData("acme..com")]
    [InlineData("acme.com/path")]
    public void a_malformed_domain_is_refused(string domain) =>
        Tenant().Given(AcmeCreated).When(s => Decide.AddDomain(s, domain, false, null)).ThenFails(DomainErrors.TenantInvalidDomain);

    [Fact]
    public void adding_a_known_domain_again_appends_nothing_and_a_new_primary_demotes_the_old_one()
    {
        var spec = Tenant().Given(AcmeCreated, new TenantDomainAdded("acme", "login.acme.com", false, true));
        spec.When(s => Decide.AddDomain(s, "login.acme.com", true, null)).ThenNothing();
        var after = spec.When(s => Decide.AddDomain(s, "sso.acme.com", true, null))
            .Then(new TenantDomainAdded("acme", "sso.acme.com", false, true)).After;
        Assert.Equal([new TenantDomain("login.acme.com", false, false), new TenantDomain("sso.acme.com", false, true)], after.Domains);
    }
}
