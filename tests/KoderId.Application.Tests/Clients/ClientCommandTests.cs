using KoderId.Application.Clients;
using KoderId.Application.Common;
using KoderId.Application.Tenants;
using KoderId.Application.Tests.Users;
using KoderId.Domain;
using KoderId.Domain.Clients;
using KoderId.Events.Clients;

namespace KoderId.Application.Tests.Clients;

public sealed class ClientCommandTests : IAsyncLifetime
{
    private static readonly ClientDraft Web = new(Name: "Shop", RedirectUris: ["https://shop.example.com/cb"]);
    private readonly WriteSide _app = new();

    public async Task InitializeAsync()
    {
        await _app.SendAsync(new CreateTenant("acme", "Acme"));
        await _app.SendAsync(new CreateTenant("globex", "Globex"));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task registering_returns_the_secret_once_and_logs_only_its_sha256()
    {
        var created = await _app.SendAsync(new RegisterClient("acme", Web));

        Assert.Matches("^[0-9a-f]{32}$", created.ClientId);
        Assert.NotNull(created.ClientSecret);
        Assert.Null(created.RegistrationAccessToken);
        var stored = Assert.IsType<ClientRegistered>(Assert.Single(await _app.ReadStreamAsync("acme", StreamNames.Client("acme", created.ClientId))).Event);
        Assert.Equal(ClientSecrets.Hash(created.ClientSecret), stored.SecretHash);
        Assert.True(ClientSecrets.Verify(created.ClientSecret, stored.SecretHash));
        Assert.False(ClientSecrets.Verify(created.ClientSecret, null));
    }

    [Fact]
    public async Task a_dynamic_registration_gets_a_registration_token_and_a_public_client_no_secret()
    {
        var dynamic = await _app.SendAsync(new RegisterClient("acme", Web, ClientRegistrations.Dynamic));
        var stored = Assert.IsType<ClientRegistered>(Assert.Single(await _app.ReadStreamAsync("acme", StreamNames.Client("acme", dynamic.ClientId))).Event);
        Assert.Equal(ClientSecrets.Hash(dynamic.RegistrationAccessToken!), stored.RegistrationAccessTokenHash);

        var native = await _app.SendAsync(new RegisterClient("acme", new ClientDraft(Name: "App", TokenEndpointAuthMethod: "none", RedirectUris: ["http://127.0.0.1/cb"])));
        Assert.Null(native.ClientSecret);
    }

    [Fact]
    public async Task rotating_replaces_the_secret_and_another_tenant_cannot_touch_the_client()
    {
        var created = await _app.SendAsync(new RegisterClient("acme", Web));
        var rotated = await _app.SendAsync(new RotateClientSecret("acme", created.ClientId));
        Assert.NotEqual(created.ClientSecret, rotated.ClientSecret);
        Assert.Equal(2, rotated.Version);

        Assert.Equal(DomainErrors.ClientNotFound, await _app.FailsWithAsync(new DeleteClient("globex", created.ClientId)));
        Assert.Equal(DomainErrors.ClientNotFound, await _app.FailsWithAsync(new UpdateClient("acme", "../x", Web)));

        Assert.True((await _app.SendAsync(new DeleteClient("acme", created.ClientId))).Changed);
        Assert.Equal(DomainErrors.ClientNotFound, await _app.FailsWithAsync(new RotateClientSecret("acme", created.ClientId)));
    }

    [Fact]
    public async Task a_blocked_tenant_registers_nothing_but_can_still_delete()
    {
        var created = await _app.SendAsync(new RegisterClient("acme", Web));
        await _app.SendAsync(new BlockTenant("acme", "audit"));
        Assert.Equal(DomainErrors.TenantBlocked, await _app.FailsWithAsync(new RegisterClient("acme", Web)));
        Assert.True((await _app.SendAsync(new DeleteClient("acme", created.ClientId))).Changed);
    }
}
