using KoderId.Application.Common;
using KoderId.Application.Credentials;
using KoderId.Application.Tenants;
using KoderId.Events.Tenants;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Application.Tests.Credentials;

public sealed class TenantCredentialPoliciesTests
{
    private sealed class FixedSettings(Dictionary<string, TenantSettings> byTenant) : ITenantSettingsProvider
    {
        public ValueTask<TenantSettings> GetAsync(string tenantId, CancellationToken ct = default) =>
            ValueTask.FromResult(byTenant.GetValueOrDefault(tenantId, TenantSettings.Default));
    }

    [Fact]
    public async Task each_tenant_gets_its_own_length_window_and_argon2id_cost_and_others_the_defaults()
    {
        var strict = TenantSettings.Default with { Password = new PasswordSettings(20, 256, new Argon2idSettings(65_536, 3, 2)) };
        var policies = new TenantCredentialPolicies(new FixedSettings(new() { ["acme"] = strict }));

        var acme = await policies.GetAsync("acme", CancellationToken.None);
        Assert.Equal((20, 256), (acme.Password.MinLength, acme.Password.MaxLength));
        Assert.Equal(new PasswordHashingPolicy(65_536, 3, 2), acme.Hashing);
        Assert.Equal(CredentialPolicy.Default, await policies.GetAsync("globex", CancellationToken.None));
    }

    [Fact]
    public void the_application_uses_tenant_settings_when_the_host_supplies_them_and_the_defaults_otherwise()
    {
        using var withSettings = new ServiceCollection()
            .AddSingleton<ITenantSettingsProvider>(new FixedSettings([]))
            .AddKoderIdApplication()
            .BuildServiceProvider();
        Assert.IsType<TenantCredentialPolicies>(withSettings.GetRequiredService<ICredentialPolicies>());

        using var without = new ServiceCollection().AddKoderIdApplication().BuildServiceProvider();
        Assert.IsType<DefaultCredentialPolicies>(without.GetRequiredService<ICredentialPolicies>());
    }
}
