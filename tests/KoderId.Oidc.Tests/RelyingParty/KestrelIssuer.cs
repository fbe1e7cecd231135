using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using KoderId.EventSourcing.Storage;
using KoderId.Server.Tests.Api;
using KoderId.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Tests.RelyingParty;

/// <summary>
/// Koder ID as a real Kestrel server on a loopback port with <c>BaseDomain=localhost</c>, so
/// <c>http://acme.localhost:{port}</c> is acme's issuer for Chromium and for the RP (whose back channel maps
/// <c>*.localhost</c> to loopback: the machine's resolver does not).
/// </summary>
public sealed class KestrelIssuer : IAsyncDisposable
{
    private readonly KoderIdFactory _factory;
    private readonly HttpClient _admin;

    // Not localhost: the bare base domain names the default tenant, and a Host naming a tenant wins over X-Tenant-ID.
    private KestrelIssuer(KoderIdFactory factory, int port)
    {
        _factory = factory;
        Port = port;
        _admin = new HttpClient(LoopbackHandler()) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        _admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiHost.AdminKey);
    }

    public int Port { get; }

    public IServiceProvider Services => _factory.Services;

    public static Task<KestrelIssuer> StartAsync(params string[] tenants) => StartAsync(null, tenants);

    /// <summary>With extra services (a stand-in authentication factor) registered after the host's own.</summary>
    public static async Task<KestrelIssuer> StartAsync(Action<IServiceCollection>? services, params string[] tenants)
    {
        var port = ServerProcess.FreePort();
        var factory = KoderIdFactory.InMemory(services)
            .With("KoderId:Bootstrap:AdminKey", ApiHost.AdminKey)
            .With("KoderId:Tenancy:BaseDomain", "localhost");
        factory.UseKestrel(o => o.ListenLocalhost(port));
        factory.StartServer();
        var issuer = new KestrelIssuer(factory, port);
        foreach (var tenant in tenants)
        {
            using var response = await issuer._admin.PostAsJsonAsync(new Uri("/v1/admin/tenants", UriKind.Relative), new { id = tenant, name = tenant });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        return issuer;
    }

    public string Issuer(string tenant) => $"http://{tenant}.localhost:{Port}";

    /// <summary>A handler that connects every <c>*.localhost</c> name to 127.0.0.1, as Chromium does (RFC 6761).</summary>
    public static SocketsHttpHandler LoopbackHandler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectCallback = async (context, ct) =>
        {
            var host = context.DnsEndPoint.Host;
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                if (host == "localhost" || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), ct);
                }
                else
                {
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                }

                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public async Task<JsonElement> AdminAsync(HttpMethod method, string path, string tenant, object body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Tenant-ID", tenant);
        using var response = await _admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Merges <paramref name="settings"/> into the tenant's settings (<c>application/merge-patch+json</c>).</summary>
    public async Task PatchTenantSettingsAsync(string tenant, object settings)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, new Uri($"/v1/admin/tenants/{tenant}/settings", UriKind.Relative))
        {
            Content = new StringContent(JsonSerializer.Serialize(settings), System.Text.Encoding.UTF8, "application/merge-patch+json"),
        };
        using var response = await _admin.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Creates a user with a password; returns the user's id.</summary>
    public async Task<string> CreateUserAsync(string tenant, string username, string email, string givenName, string familyName, string password)
    {
        var user = await AdminAsync(HttpMethod.Post, "/v1/users", tenant, new { username, email, givenName, familyName }, HttpStatusCode.Created);
        var id = user.GetProperty("id").GetString()!;
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri($"/v1/users/{id}/password", UriKind.Relative)) { Content = JsonContent.Create(new { password }) };
        request.Headers.Add("X-Tenant-ID", tenant);
        using var set = await _admin.SendAsync(request);
        Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync());
        return id;
    }

    public async Task<(string Id, string Secret)> CreateClientAsync(string tenant, object body)
    {
        var created = await AdminAsync(HttpMethod.Post, "/v1/admin/clients", tenant, body, HttpStatusCode.Created);
        return (created.GetProperty("client").GetProperty("id").GetString()!, created.GetProperty("clientSecret").GetString()!);
    }

    public async Task<int> CountEventsAsync(string eventType)
    {
        var count = 0;
        await foreach (var e in Services.GetRequiredService<IEventStore>().ReadAllAsync(0))
        {
            if (e.EventType == eventType)
            {
                count++;
            }
        }

        return count;
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _factory.DisposeAsync();
    }
}
