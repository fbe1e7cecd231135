using System.Net;

namespace KoderId.Oidc.Tests.Conformance.Basic;

/// <summary>
/// Freshness rules under the real clock, where the sign-in and the return to the authorize flow are some
/// milliseconds apart (a moved clock would hide that).
/// </summary>
public sealed class RealClockTests(RealClockTests.Fixture fixture) : IClassFixture<RealClockTests.Fixture>
{
    private readonly OidcHost _host = fixture.Host;

    public sealed class Fixture : IAsyncLifetime
    {
        internal OidcHost Host { get; private set; } = null!;

        public async Task InitializeAsync() => Host = await OidcHost.StartAsync();

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    [Theory]
    [InlineData("&max_age=0")]
    [InlineData("&prompt=login")]
    [InlineData("&prompt=login&max_age=0")]
    public async Task a_sign_in_made_for_this_request_satisfies_it_instead_of_asking_again(string extra)
    {
        using var browser = _host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();

        var redirect = await _host.SignInAsync(browser, challenge, extra: extra);

        Assert.True(redirect.ContainsKey("code"), string.Join('&', redirect.Select(p => $"{p.Key}={p.Value}")));
        var tokens = await _host.RedeemAsync(redirect["code"], verifier);
        Assert.True(tokens.TryGetProperty("id_token", out _));
    }
}
