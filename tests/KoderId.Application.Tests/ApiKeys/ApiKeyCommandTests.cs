using KoderId.Application.ApiKeys;
using KoderId.Application.Common;
using KoderId.Application.Tenants;
using KoderId.Application.Tests.Users;
using KoderId.Domain;
using KoderId.Events.ApiKeys;

namespace KoderId.Application.Tests.ApiKeys;

public sealed class ApiKeyCommandTests : IAsyncLifetime
{
    private readonly WriteSide _app = new();

    public async Task InitializeAsync() => await _app.SendAsync(new CreateTenant("acme", "Acme"));

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task creating_a_key_returns_the_secret_once_and_logs_only_its_sha256()
    {
        var created = await _app.SendAsync(new CreateApiKey("acme", "CI", ["users:read"]));

        Assert.True(ApiKeyToken.TryParse(created.Key, out var keyId, out var secret));
        Assert.Equal(created.KeyId, keyId);
        var stored = Assert.IsType<ApiKeyCreated>(Assert.Single(await _app.ReadStreamAsync("acme", StreamNames.ApiKey("acme", keyId))).Event);
        Assert.Equal(ApiKeyToken.Hash(secret), stored.SecretHash);
        Assert.DoesNotContain(secret, stored.ToString(), StringComparison.Ordinal);
        Assert.True(ApiKeyToken.Verify(secret, stored.SecretHash));
        Assert.False(ApiKeyToken.Verify(secret[..^1] + (secret[^1] == 'A' ? "B" : "A"), stored.SecretHash));
    }

    [Fact]
    public async Task a_system_key_lives_in_the_default_tenant()
    {
        await _app.SendAsync(new EnsureDefaultTenant());
        var created = await _app.SendAsync(new CreateApiKey("acme", "ops", ["tenants:admin"], System: true));
        Assert.Equal("default", created.TenantId);
        Assert.Single(await _app.ReadStreamAsync("default", StreamNames.ApiKey("default", created.KeyId)));
    }

    [Fact]
    public async Task revoking_is_idempotent_and_another_tenants_key_is_not_found()
    {
        await _app.SendAsync(new CreateTenant("globex", "Globex"));
        var created = await _app.SendAsync(new CreateApiKey("acme", "CI", ["admin"]));

        Assert.Equal(DomainErrors.ApiKeyNotFound, await _app.FailsWithAsync(new RevokeApiKey("globex", created.KeyId)));
        Assert.Equal(DomainErrors.ApiKeyNotFound, await _app.FailsWithAsync(new RevokeApiKey("acme", "not-a-key-id")));
        Assert.True((await _app.SendAsync(new RevokeApiKey("acme", created.KeyId))).Changed);
        Assert.False((await _app.SendAsync(new RevokeApiKey("acme", created.KeyId))).Changed);
    }

    [Fact]
    public void malformed_presented_keys_do_not_parse()
    {
        Assert.False(ApiKeyToken.TryParse("kid_", out _, out _));
        Assert.False(ApiKeyToken.TryParse("kid_XYZ_secret", out _, out _));
        Assert.False(ApiKeyToken.TryParse("bearer-something", out _, out _));
        Assert.False(ApiKeyToken.Verify("secret", "not base64url!"));
    }
}
