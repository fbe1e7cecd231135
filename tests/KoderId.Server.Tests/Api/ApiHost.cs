using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KoderId.EventSourcing.Storage;
using KoderId.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Server.Tests.Api;

/// <summary>
/// The real host with the bootstrap admin key set and an admin client. The test server has no socket, so a
/// startup filter gives each request the connection address a client on the network would have.
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key-0123456789abcdef-0123456789";
    public const string ClientIp = "203.0.113.9";
    public const string UserAgent = "koderid-tests/1.0";

    private ApiHost(KoderIdFactory factory, IReadOnlyDictionary<string, string?>? settings = null)
    {
        Factory = factory.With("KoderId:Bootstrap:AdminKey", AdminKey);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            Factory.With(key, value);
        }

        Client = Factory.CreateClient();
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        Client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
        Anonymous = Factory.CreateClient();
    }

    public KoderIdFactory Factory { get; }

    public HttpClient Client { get; }

    public HttpClient Anonymous { get; }

    public static ApiHost InMemory() => new(KoderIdFactory.InMemory(WithConnection));

    /// <summary>SQLite, optionally with extra services (a log sink, a tighter hashing gate) and configuration (a base domain).</summary>
    public static ApiHost Sqlite(Action<IServiceCollection>? services = null, IReadOnlyDictionary<string, string?>? settings = null) => new(KoderIdFactory.Sqlite(s =>
    {
        WithConnection(s);
        services?.Invoke(s);
    }), settings);

    public static ApiHost Postgres(string connectionString, Action<IServiceCollection>? services = null) => new(KoderIdFactory.Postgres(connectionString, s =>
    {
        WithConnection(s);
        services?.Invoke(s);
    }));

    public async Task<long> HeadAsync() => (await Factory.Services.GetRequiredService<IEventStore>().ReadHeadAsync()).Position;

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? tenant = null, object? json = null, string? raw = null, string mediaType = "application/json")
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (tenant is not null)
        {
            request.Headers.Add("X-Tenant-ID", tenant);
        }

        var body = raw ?? (json is null ? null : JsonSerializer.Serialize(json, JsonSerializerOptions.Web));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        }

        return Client.SendAsync(request);
    }

    public async Task<JsonElement> OkAsync(HttpMethod method, string path, string? tenant = null, object? json = null, string mediaType = "application/json", HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await SendAsync(method, path, tenant, json, mediaType: mediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: expected {expected}, got {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// The audit model is an async projection (the daemon follows the log): the query is repeated until
    /// <paramref name="complete"/> holds for the page of acme's trail, or a generous deadline passes.
    /// </summary>
    public async Task<JsonElement[]> AuditAsync(string query, Func<JsonElement[], bool> complete)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var page = await OkAsync(HttpMethod.Get, "/v1/admin/audit?" + query, "acme");
            var items = page.GetProperty("items").EnumerateArray().ToArray();
            if (complete(items) || DateTime.UtcNow > deadline)
            {
                return items;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Asserts a problem+json with the status and code, and returns its body.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        await Factory.DisposeAsync();
    }

    private static void WithConnection(IServiceCollection services) => services.AddSingleton<IStartupFilter, ConnectionAddress>();

    private sealed class ConnectionAddress : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress ??= IPAddress.Parse(ClientIp);
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
