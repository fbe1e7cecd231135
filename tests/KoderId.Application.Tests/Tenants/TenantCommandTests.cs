using KoderId.Application.Common;
using KoderId.Application.Tenants;
using KoderId.Application.Tests.Users;
using KoderId.Domain;
using KoderId.Events.Tenants;

namespace KoderId.Application.Tests.Tenants;

public sealed class TenantCommandTests : IAsyncLifetime
{
    private readonly WriteSide _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task a_created_tenant_reads_back_from_its_own_stream_under_itself()
    {
        var result = await _app.SendAsync(new CreateTenant("acme", " Acme Inc. "));

        Assert.Equal(new CommandResult("acme", 1, true), result);
        var e = Assert.Single(await _app.ReadStreamAsync("acme", "tenant-acme"));
        Assert.Equal(new TenantCreated("acme", "Acme Inc."), e.Event);
        Assert.Equal("acme", e.Stored.TenantId);
    }

    [Fact]
    public async Task creating_a_tenant_twice_is_refused_also_when_raced()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
        {
            try
            {
                await _app.SendAsync(new CreateTenant("acme", "Acme"));
                return "ok";
            }
            catch (DomainException ex)
            {
                return ex.Code;
            }
        })));

        Assert.Equal(1, outcomes.Count(o => o == "ok"));
        Assert.All(outcomes.Where(o => o != "ok"), o => Assert.Equal(DomainErrors.TenantExists, o));
        Assert.Single(await _app.ReadStreamAsync("acme", "tenant-acme"));
    }

    [Fact]
    public async Task a_bad_tenant_id_is_invalid_on_create_and_not_found_elsewhere()
    {
        Assert.Equal(DomainErrors.TenantInvalidId, await _app.FailsWithAsync(new CreateTenant("Acme Corp", "Acme")));
        Assert.Equal(DomainErrors.TenantReservedId, await _app.FailsWithAsync(new CreateTenant("default", "Default")));
        Assert.Equal(DomainErrors.TenantNotFound, await _app.FailsWithAsync(new RenameTenant("Acme Corp", "Acme")));
        Assert.Equal(DomainErrors.TenantNotFound, await _app.FailsWithAsync(new BlockTenant("missing", "x")));
        Assert.Empty(await _app.ReadAllAsync());
    }

    [Fact]
    public async Task block_unblock_and_delete_are_idempotent()
    {
        await _app.SendAsync(new CreateTenant("acme", "Acme"));

        Assert.True((await _app.SendAsync(new BlockTenant("acme", "unpaid"))).Changed);
        Assert.False((await _app.SendAsync(new BlockTenant("acme", "unpaid"))).Changed);
        Assert.True((await _app.SendAsync(new UnblockTenant("acme"))).Changed);
        Assert.False((await _app.SendAsync(new UnblockTenant("acme"))).Changed);
        Assert.True((await _app.SendAsync(new DeleteTenant("acme"))).Changed);
        Assert.False((await _app.SendAsync(new DeleteTenant("acme"))).Changed);
        Assert.Equal(DomainErrors.TenantDeleted, await _app.FailsWithAsync(new RenameTenant("acme", "New")));

        var types = (await _app.ReadStreamAsync("acme", "tenant-acme")).Select(e => e.Stored.EventType);
        Assert.Equal(["tenant.created.v1", "tenant.blocked.v1", "tenant.unblocked.v1", "tenant.deleted.v1"], types);
    }

    [Fact]
    public async Task the_tenants_own_subdomain_is_verified_and_a_custom_domain_is_not()
    {
        await _app.SendAsync(new CreateTenant("acme", "Acme"));
        await _app.SendAsync(new AddTenantDomain("acme", "acme.id.example.com", Primary: true));
        await _app.SendAsync(new AddTenantDomain("acme", "login.acme.com"));
        Assert.Equal(DomainErrors.TenantDomainNotAllowed, await _app.FailsWithAsync(new AddTenantDomain("acme", "globex.id.example.com")));

        var added = (await _app.ReadStreamAsync("acme", "tenant-acme")).Skip(1).Select(e => e.Event);
        Assert.Equal([new TenantDomainAdded("acme", "acme.id.example.com", true, true), new TenantDomainAdded("acme", "login.acme.com", false, false)], added);
    }

    [Fact]
    public async Task bootstrap_creates_the_default_tenant_once()
    {
        Assert.True((await _app.SendAsync(new EnsureDefaultTenant())).Changed);
        Assert.False((await _app.SendAsync(new EnsureDefaultTenant())).Changed);
        Assert.Equal(DomainErrors.TenantDefaultProtected, await _app.FailsWithAsync(new DeleteTenant("default")));
        Assert.Single(await _app.ReadStreamAsync("default", "tenant-default"));
    }
}
