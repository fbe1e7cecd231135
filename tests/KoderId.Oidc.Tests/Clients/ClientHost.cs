using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KoderId.EventSourcing.Storage;
using KoderId.Oidc.Common;
using KoderId.Oidc.Registration;
using KoderId.Projections.Tenants;
using KoderId.Server.Tenancy;
using KoderId.Server.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Tests.Clients;

/// <summary>
/// The real host (SQLite unless told) with tenants acme and globex, <c>BaseDomain=koderid.test</c> so
/// <c>acme.koderid.test</c> is acme's issuer, and helpers for clients, keys and raw protocol requests.
/// </summary>
internal sealed class ClientHost : IAsyncDisposable
{
    /// <summary>
    /// Not <c>localhost</c>: the test server's own Host is <c>localhost</c>, and a Host naming a tenant wins over
    /// <c>X-Tenant-ID</c>, so the admin calls would all land in <c>default</c>.
    /// </summary>
    public const string BaseDomain = "koderid.test";

    private ClientHost(ApiHost api) => Api = api;

    public ApiHost Api { get; }

    public IServiceProvider Services => Api.Factory.Services;

    public static async Task<ClientHost> StartAsync(bool anonymousRegistration = false, string? postgres = null, Action<IServiceCollection>? services = null)
    {
        void Configure(IServiceCollection s)
        {
            s.Configure<TenancyOptions>(o => o.BaseDomain = BaseDomain);
            s.Configure<ClientRegistrationOptions>(o => o.AllowAnonymousRegistration = anonymousRegistration);
            services?.Invoke(s);
        }

        var api = postgres is null ? ApiHost.Sqlite(Configure) : ApiHost.Postgres(postgres, Configure);
        var host = new ClientHost(api);
        await api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "acme", name = "Acme" }, expected: HttpStatusCode.Created);
        await api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "globex", name = "Globex" }, expected: HttpStatusCode.Created);
        return host;
    }

    /// <summary>Creates a client through the admin API; returns its id and the secret shown once (null without one).</summary>
    public async Task<(string Id, string? Secret)> CreateClientAsync(string tenant, object body)
    {
        var created = await Api.OkAsync(HttpMethod.Post, "/v1/admin/clients", tenant, body, expected: HttpStatusCode.Created);
        var secret = created.GetProperty("clientSecret");
        return (created.GetProperty("client").GetProperty("id").GetString()!, secret.ValueKind == JsonValueKind.Null ? null : secret.GetString());
    }

    public async Task<string> CreateKeyAsync(string tenant, params string[] scopes)
    {
        var created = await Api.OkAsync(HttpMethod.Post, "/v1/admin/api-keys", tenant, new { name = "k", scopes }, expected: HttpStatusCode.Created);
        return created.GetProperty("key").GetString()!;
    }

    /// <summary>A request with the given bearer (null: none) and Host header (the protocol endpoints' tenant).</summary>
    public Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, string? bearer = null, string? tenantHeader = null, string? host = null, string? json = null, string mediaType = "application/json")
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (tenantHeader is not null)
        {
            request.Headers.Add("X-Tenant-ID", tenantHeader);
        }

        if (host is not null)
        {
            request.Headers.Host = host;
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        }

        return Api.Anonymous.SendAsync(request);
    }

    public async Task<OidcTenant> TenantAsync(string tenantId)
    {
        var view = await Services.GetRequiredService<TenantDirectory>().GetAsync(tenantId) ?? throw new InvalidOperationException(tenantId);
        return new OidcTenant(view, $"http://{tenantId}.{BaseDomain}");
    }

    /// <summary>Every event's JSON and metadata in the log, for "no secret in clear" scans.</summary>
    public async Task<string> WholeLogAsync()
    {
        var text = new StringBuilder();
        await foreach (var e in Services.GetRequiredService<IEventStore>().ReadAllAsync(0))
        {
            text.Append(e.EventType).Append(' ').Append(e.Data).Append(' ').Append(JsonSerializer.Serialize(e.Metadata)).AppendLine();
        }

        return text.ToString();
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {expected}, got {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts an OAuth error JSON (RFC 6749 §5.2) with the error, our KID code in the description, and no-store.</summary>
    public static async Task<JsonElement> OAuthErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error, string code)
    {
        var body = await JsonAsync(response, status);
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.Contains($"({code})", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return body;
    }

    public async ValueTask DisposeAsync() => await Api.DisposeAsync();
}
