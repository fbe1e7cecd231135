using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using KoderId.Application.Common;
using KoderId.EventSourcing.Storage;
using KoderId.Server.Tests.Api;
using KoderId.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Tests.Infrastructure;

/// <summary>A clock the test moves; every reader of <see cref="IClock"/> in the host sees it.</summary>
public sealed class FakeClock(DateTimeOffset start) : IClock
{
    private long _ticks = start.UtcTicks;

    public DateTimeOffset UtcNow => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>
/// The real host with <c>BaseDomain=localhost</c> (so <c>acme.localhost</c> is acme's issuer), the bootstrap admin
/// key, a fake clock, and the tenants a test names created through the admin API.
/// </summary>
public sealed class OidcHost : IAsyncDisposable
{
    private OidcHost(KoderIdFactory factory, FakeClock clock)
    {
        Factory = factory;
        Clock = clock;
    }

    public KoderIdFactory Factory { get; }

    public FakeClock Clock { get; }

    public IServiceProvider Services => Factory.Services;

    public static Task<OidcHost> InMemoryAsync(params string[] tenants) => StartAsync(KoderIdFactory.InMemory, null, tenants);

    public static Task<OidcHost> SqliteAsync(IReadOnlyDictionary<string, string?>? settings, params string[] tenants) =>
        StartAsync(KoderIdFactory.Sqlite, settings, tenants);

    public static async Task<OidcHost> StartAsync(
        Func<Action<IServiceCollection>?, KoderIdFactory> create,
        IReadOnlyDictionary<string, string?>? settings,
        params string[] tenants)
    {
        var clock = new FakeClock(DateTimeOffset.UtcNow);
        var factory = create(s => s.AddSingleton<IClock>(clock))
            .With("KoderId:Bootstrap:AdminKey", ApiHost.AdminKey)
            .With("KoderId:Tenancy:BaseDomain", "localhost");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            factory.With(key, value);
        }

        var host = new OidcHost(factory, clock);
        using var admin = host.Client("localhost");
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiHost.AdminKey);
        foreach (var tenant in tenants)
        {
            using var response = await admin.PostAsJsonAsync(new Uri("/v1/admin/tenants", UriKind.Relative), new { id = tenant, name = tenant });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        return host;
    }

    /// <summary>A client whose requests carry <c>Host: {host}</c>, as a browser or RP library on that issuer would send.</summary>
    public HttpClient Client(string host) =>
        Factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri($"http://{host}"), AllowAutoRedirect = false });

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public async Task<long> HeadAsync() => (await Get<IEventStore>().ReadHeadAsync()).Position;

    public async Task<JsonElement> JsonAsync(string host, string path)
    {
        using var client = Client(host);
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {host}{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();
}
