using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using KoderId.Application.Mfa;
using KoderId.Oidc.Tests.Conformance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KoderId.Oidc.Tests.Mfa;

/// <summary>One host for the MFA tests: a time the tests move (TOTP codes are computed from it) and every log line captured.</summary>
public sealed class MfaHost : IAsyncLifetime
{
    internal MovableTime Time { get; } = new();

    internal CapturedLogs Logs { get; } = new();

    internal OidcHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await OidcHost.StartAsync(services: s =>
    {
        Time.Register(s);
        // Every application log line at every level goes to the capture instead of Serilog's console.
        s.AddSingleton<ILoggerFactory>(_ => LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs)));
    });

    public async Task DisposeAsync() => await Host.DisposeAsync();

    /// <summary>The code of the current time step (or <paramref name="offset"/> steps away).</summary>
    internal string Code(string secret, int offset = 0) => TotpCodes.CodeAt(secret, TotpCodes.StepAt(Time.UtcNow) + offset);

    /// <summary>A new user of acme with the test password, signed in through the login page: the browser (with its SSO cookie) and an access token.</summary>
    internal async Task<SignedInUser> NewUserAsync(string tenantIssuer = OidcHost.Issuer)
    {
        var name = "u" + Guid.NewGuid().ToString("N")[..12];
        var created = await Host.Host.Api.OkAsync(HttpMethod.Post, "/v1/users", "acme", new { username = name, email = $"{name}@example.com" }, expected: HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;
        using (var set = await Host.Host.Api.SendAsync(HttpMethod.Put, $"/v1/users/{id}/password", "acme", new { password = OidcHost.Password }))
        {
            Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync());
        }

        var browser = Host.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        using var authorize = await browser.GetAsync(Host.AuthorizeUrl(challenge));
        var location = await OidcHost.PostLoginAsync(browser, authorize.Headers.Location!.ToString(), name, OidcHost.Password);
        using var resumed = await browser.GetAsync(location);
        var tokens = await Host.RedeemAsync(OidcHost.Query(resumed.Headers.Location!)["code"], verifier);
        return new SignedInUser(id, name, browser, tokens.GetProperty("access_token").GetString()!);
    }

    internal Task<HttpResponseMessage> MeAsync(HttpMethod method, string path, string? bearer, string? json = null, string issuer = OidcHost.Issuer, string mediaType = "application/json")
    {
        HttpContent? content = null;
        if (json is not null)
        {
            content = new StringContent(json, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        }

        return Host.BearerAsync(method, issuer + "/v1/users/me/mfa" + path, bearer, content);
    }

    internal sealed class CapturedLogs : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            Lines.Enqueue(state.ToString() ?? "");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            Lines.Enqueue($"{formatter(state, exception)} {values} {exception}");
        }

        public void Dispose()
        {
        }
    }
}

internal sealed record SignedInUser(string Id, string Username, HttpClient Browser, string Access);
