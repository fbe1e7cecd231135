using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KoderId.Application.Common;
using KoderId.Application.Credentials;
using KoderId.Application.Flows;
using KoderId.EventSourcing.InMemory;
using KoderId.EventSourcing.Storage;
using KoderId.Server.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Server.Tests.Flows;

/// <summary>A clock the tests move, shared by the engine (<see cref="IClock"/>) and the transient store (<see cref="TimeProvider"/>).</summary>
public sealed class MovableClock : TimeProvider, IClock
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public DateTimeOffset UtcNow => _now;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>
/// A stand-in second factor for the flow engine: <c>totp</c> for the users it is given, accepting the code
/// <see cref="Code"/>. Real TOTP is the MFA feature's; the engine only needs a factor.
/// </summary>
public sealed class FakeTotpFactor : IAuthenticationFactor
{
    public const string Code = "246810";

    public HashSet<string> EnrolledUsers { get; } = [];

    public string Step => "totp";

    public FactorKind Kind => FactorKind.Possession;

    public ValueTask<bool> IsAvailableAsync(string tenantId, string? userId, CancellationToken ct) =>
        ValueTask.FromResult(userId is not null && EnrolledUsers.Contains(userId));

    public ValueTask<FactorChallenge> BeginAsync(FactorContext context, CancellationToken ct) => ValueTask.FromResult(FactorChallenge.None);

    public ValueTask<FactorOutcome> VerifyAsync(FactorContext context, JsonElement input, CancellationToken ct) =>
        ValueTask.FromResult(context.UserId is not null && EnrolledUsers.Contains(context.UserId)
            && input.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String && code.GetString() == Code
            ? new FactorOutcome(true, context.UserId, ["otp"], FactorKind.Possession)
            : FactorOutcome.Failed);
}

/// <summary>An API host (SQLite) with tenant acme, users alice (password) and bob (password + fake TOTP), a cheap hash and a movable clock.</summary>
public sealed class FlowsHost : IAsyncDisposable
{
    public const string Password = "correct horse battery staple 42";
    public const string Tenant = "acme";
    public const string BaseDomain = "koderid.test";

    /// <summary>The tenant's own host name: what the hosted page (cookie mode) is addressed to.</summary>
    public const string TenantHost = Tenant + "." + BaseDomain;

    private FlowsHost(ApiHost api, MovableClock clock, FakeTotpFactor totp)
    {
        Api = api;
        Clock = clock;
        Totp = totp;
    }

    public ApiHost Api { get; }

    public MovableClock Clock { get; }

    public FakeTotpFactor Totp { get; }

    public string AliceId { get; private set; } = "";

    public string BobId { get; private set; } = "";

    public static async Task<FlowsHost> StartAsync(int maxFailuresPerIp = 1000, Action<IServiceCollection>? services = null)
    {
        var clock = new MovableClock();
        var totp = new FakeTotpFactor();
        var api = ApiHost.Sqlite(
            s =>
            {
                s.AddSingleton<IClock>(clock);
                s.AddSingleton<ITransientStore>(new InMemoryTransientStore(clock));
                s.AddSingleton<IAuthenticationFactor>(totp);

                // Room for every parallel attempt of a test: a refusal at the gate is not a failed attempt.
                s.AddSingleton(new PasswordHashingGate(4, 200, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1)));
                services?.Invoke(s);
            },
            new Dictionary<string, string?>
            {
                ["KoderId:Flows:MaxFailuresPerIp"] = maxFailuresPerIp.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["KoderId:Tenancy:BaseDomain"] = BaseDomain,
            });
        var host = new FlowsHost(api, clock, totp);
        await api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = Tenant, name = "Acme" }, expected: HttpStatusCode.Created);

        // A cheap Argon2id: these tests count attempts, they do not measure the hash.
        await api.OkAsync(HttpMethod.Patch, $"/v1/admin/tenants/{Tenant}/settings",
            json: new { password = new { hashing = new { memoryKiB = 1024, iterations = 1, parallelism = 1 } } }, mediaType: "application/merge-patch+json");
        host.AliceId = await host.CreateUserAsync("alice");
        host.BobId = await host.CreateUserAsync("bob");
        totp.EnrolledUsers.Add(host.BobId);
        return host;
    }

    public async Task<string> CreateUserAsync(string username)
    {
        var user = await Api.OkAsync(HttpMethod.Post, "/v1/users", Tenant, new { username, email = $"{username}@example.com" }, expected: HttpStatusCode.Created);
        var id = user.GetProperty("id").GetString()!;
        using var set = await Api.SendAsync(HttpMethod.Put, $"/v1/users/{id}/password", Tenant, new { password = Password });
        Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        return id;
    }

    /// <summary>An anonymous JSON post to the flow API, as a first-party app sends it.</summary>
    public Task<HttpResponseMessage> PostAsync(string path, string? body, string mediaType = "application/json", bool cookie = false, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative));
        if (cookie)
        {
            // The hosted page: same-origin on the tenant's host, no header naming the tenant.
            request.Headers.Host = TenantHost;
            request.Headers.Add("X-KoderId-Login", "cookie");
        }
        else
        {
            request.Headers.Add("X-Tenant-ID", Tenant);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        }

        return (client ?? Api.Anonymous).SendAsync(request);
    }

    public async Task<JsonElement> StartFlowAsync(string? username)
    {
        using var response = await PostAsync("/v1/auth/flows", username is null ? "{}" : JsonSerializer.Serialize(new { username }));
        return await JsonAsync(response, HttpStatusCode.Created);
    }

    public Task<HttpResponseMessage> AnswerAsync(string flowId, string step, object body, bool cookie = false) =>
        PostAsync($"/v1/auth/flows/{flowId}/{step}", JsonSerializer.Serialize(body), cookie: cookie);

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {expected}, got {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    public ValueTask DisposeAsync() => Api.DisposeAsync();
}
