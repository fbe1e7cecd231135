using System.Text.Json;
using KoderId.Domain.Keys;
using KoderId.EventSourcing.Storage;
using KoderId.Oidc.Common;
using KoderId.Oidc.Keys;
using KoderId.Oidc.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KoderId.Oidc.Tests.Keys;

/// <summary>Defaults: rotate every 24 h, publish 1 h before signing, keep a retired key for 1 h of tokens + 1 min skew.</summary>
public sealed class KeyRotationTests : IAsyncLifetime
{
    private const string Issuer = "http://acme.localhost";
    private OidcHost _host = null!;

    public async Task InitializeAsync() => _host = await OidcHost.InMemoryAsync("acme");

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task the_next_key_is_published_before_it_signs_and_the_retired_one_stays_until_its_tokens_expired()
    {
        var first = await KidOfNewTokenAsync();
        var oldToken = await SignAsync();

        _host.Clock.Advance(TimeSpan.FromHours(23));
        await RotationService().RotateDueAsync(CancellationToken.None);
        var published = await PublishedEs256Async();
        var next = Assert.Single(published, k => k != first);
        Assert.Contains(first, published);
        Assert.Equal(first, await KidOfNewTokenAsync());

        _host.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(next, await KidOfNewTokenAsync());
        Assert.Equal(new[] { first, next }.Order(), (await PublishedEs256Async()).Order());

        _host.Clock.Advance(TimeSpan.FromMinutes(60));
        Assert.Contains(first, await PublishedEs256Async());

        _host.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal([next], await PublishedEs256Async());
        Assert.Equal(TokenErrors.UnknownKey, (await ValidateAsync(oldToken)).Failure?.Code);
    }

    [Fact]
    public async Task a_token_signed_by_the_retiring_key_just_before_the_switch_verifies_until_it_expires()
    {
        _ = await SignAsync();
        _host.Clock.Advance(TimeSpan.FromHours(23));
        await RotationService().RotateDueAsync(CancellationToken.None);
        _host.Clock.Advance(TimeSpan.FromMinutes(59));
        var lastOfOld = await SignAsync(lifetime: TimeSpan.FromHours(1));

        _host.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromMinutes(59));

        Assert.True((await ValidateAsync(lastOfOld)).Succeeded);
    }

    [Fact]
    public async Task nothing_rotates_before_it_is_due_and_a_due_rotation_happens_once()
    {
        _ = await SignAsync();
        var rotator = _host.Get<KeyRotator>();
        var head = await _host.HeadAsync();

        _host.Clock.Advance(TimeSpan.FromHours(22));
        Assert.Equal(0, await rotator.RotateAsync("acme"));
        _host.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(2, await rotator.RotateAsync("acme"));
        Assert.Equal(0, await rotator.RotateAsync("acme"));

        Assert.Equal(head + 2, await _host.HeadAsync());
    }

    [Fact]
    public async Task two_nodes_rotating_at_once_produce_one_rotation()
    {
        _ = await SignAsync();
        _host.Clock.Advance(TimeSpan.FromHours(23));

        // Two rotators with their own in-process locks: only the store's expected version keeps them apart.
        var nodeA = ActivatorUtilities.CreateInstance<KeyRotator>(_host.Services);
        var nodeB = ActivatorUtilities.CreateInstance<KeyRotator>(_host.Services);
        var created = await Task.WhenAll(nodeA.RotateAsync("acme"), nodeB.RotateAsync("acme"));

        Assert.Equal(2, created.Sum());
        var stream = await _host.Get<IEventStore>().ReadStreamAsync("acme", SigningKeys.StreamId("acme")).ToListAsync();
        Assert.Equal(4, stream.Count);
        Assert.Equal(4, (await _host.JsonAsync("acme.localhost", OidcPaths.Keys)).GetProperty("keys").GetArrayLength());
    }

    private KeyRotationService RotationService() => _host.Services.GetServices<IHostedService>().OfType<KeyRotationService>().Single();

    private async Task<string> SignAsync(TimeSpan? lifetime = null) =>
        await _host.Get<ITokenSigner>().SignAsync("acme", SigningAlgorithms.ES256, "at+jwt", new Dictionary<string, object?>
        {
            ["iss"] = Issuer,
            ["sub"] = "svc",
            ["iat"] = _host.Clock.UtcNow.ToUnixTimeSeconds(),
            ["exp"] = (_host.Clock.UtcNow + (lifetime ?? TimeSpan.FromMinutes(15))).ToUnixTimeSeconds(),
        });

    private async Task<string> KidOfNewTokenAsync()
    {
        var token = await SignAsync();
        var header = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[0])).RootElement;
        return header.GetProperty("kid").GetString()!;
    }

    private ValueTask<TokenValidationResult> ValidateAsync(string token) => _host.Get<JwtValidator>().ValidateAsync("acme", Issuer, token);

    private async Task<string[]> PublishedEs256Async() =>
        (await _host.JsonAsync("acme.localhost", OidcPaths.Keys)).GetProperty("keys").EnumerateArray()
            .Where(k => k.GetProperty("alg").GetString() == "ES256").Select(k => k.GetProperty("kid").GetString()!).ToArray();
}
