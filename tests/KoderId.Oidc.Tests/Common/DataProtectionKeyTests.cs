using KoderId.Oidc.Common;
using KoderId.Oidc.Tests.Clients;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Tests.Common;

public sealed class DataProtectionKeyTests
{
    [Fact]
    public async Task the_key_ring_lives_in_the_store_so_every_node_reads_the_same_keys()
    {
        await using var host = await ClientHost.StartAsync();
        var protector = host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
        var protectedValue = protector.Protect("pending sign-in");

        var keys = host.Services.GetRequiredService<DataProtectionKeyRepository>().GetAllElements();

        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.Equal("key", k.Name.LocalName));

        // A second key ring over the same table (another node) opens what the first protected.
        var other = DataProtectionProvider.Create(new DirectoryInfo(Path.GetTempPath()), b =>
        {
            b.SetApplicationName("KoderId");
            b.Services.Configure<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o =>
                o.XmlRepository = host.Services.GetRequiredService<DataProtectionKeyRepository>());
        });
        Assert.Equal("pending sign-in", other.CreateProtector("test").Unprotect(protectedValue));
    }
}
