using System.Net;
using System.Net.Http.Headers;
using KoderId.Application.Common;
using KoderId.Events.Tenants;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Server.Tests.Api;

/// <summary>
/// ARCHITECTURE.md §7: Host (a subdomain of the base domain, then a verified custom domain), then X-Tenant-ID,
/// then a tenant-bound API key's own tenant, else <c>default</c>.
/// </summary>
public sealed class TenantResolutionTests : IAsyncLifetime
{
    private const string BaseDomain = "example.test";
    private ApiHost _api = null!;

    public async Task InitializeAsync()
    {
        _api = ApiHost.Sqlite(settings: new Dictionary<string, string?> { ["KoderId:Tenancy:BaseDomain"] = BaseDomain });
        foreach (var tenant in new[] { "acme", "globex", "initech" })
        {
            await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = tenant, name = tenant }, expected: HttpStatusCode.Created);
            await _api.OkAsync(HttpMethod.Post, "/v1/users", tenant, new { username = $"user-of-{tenant}" }, expected: HttpStatusCode.Created);
        }

        await _api.OkAsync(HttpMethod.Post, "/v1/users", "default", new { username = "user-of-default" }, expected: HttpStatusCode.Created);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task a_subdomain_of_the_base_domain_is_its_tenant()
    {
        Assert.Equal("user-of-acme", await OnlyUserAsync(ApiHost.AdminKey, host: "acme.example.test"));
        Assert.Equal("user-of-globex", await OnlyUserAsync(ApiHost.AdminKey, host: "GLOBEX.example.test."));
    }

    [Fact]
    public async Task the_bare_base_domain_is_the_default_tenant()
    {
        Assert.Equal("user-of-default", await OnlyUserAsync(ApiHost.AdminKey, host: BaseDomain));
    }

    [Fact]
    public async Task the_host_wins_over_the_header()
    {
        Assert.Equal("user-of-acme", await OnlyUserAsync(ApiHost.AdminKey, host: "acme.example.test", header: "globex"));
    }

    [Theory]
    [InlineData("a.b.example.test")]
    [InlineData("nosuch.example.test")]
    public async Task a_host_that_is_no_tenants_is_a_404(string host)
    {
        using var response = await SendAsync(ApiHost.AdminKey, host, header: null);
        await ApiHost.ProblemAsync(response, HttpStatusCode.NotFound, "KID1002");
    }

    [Fact]
    public async Task a_verified_custom_domain_is_its_tenant_and_an_unverified_one_is_not_used()
    {
        // Ownership proof is not built yet: the verified domain is appended as the proof will append it.
        await using (var scope = _api.Factory.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<RequestContext>().Actor = "test";
            await scope.ServiceProvider.GetRequiredService<AggregateStore>().DecideAsync(
                Aggregates.Tenant, "globex", StreamNames.Tenant("globex"), _ => [new TenantDomainAdded("globex", "login.globex.example", true, true)], CancellationToken.None);
        }

        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants/initech/domains", json: new { domain = "login.initech.example" });
        var initech = await _api.OkAsync(HttpMethod.Get, "/v1/admin/tenants/initech");
        Assert.False(initech.GetProperty("domains")[0].GetProperty("verified").GetBoolean());

        Assert.Equal("user-of-globex", await OnlyUserAsync(ApiHost.AdminKey, host: "login.globex.example"));

        // The unverified host falls through to the header, then to default: never to initech.
        Assert.Equal("user-of-acme", await OnlyUserAsync(ApiHost.AdminKey, host: "login.initech.example", header: "acme"));
        Assert.Equal("user-of-default", await OnlyUserAsync(ApiHost.AdminKey, host: "login.initech.example"));
    }

    [Fact]
    public async Task without_host_or_header_a_tenant_keys_own_tenant_is_the_requests()
    {
        var created = await _api.OkAsync(HttpMethod.Post, "/v1/admin/api-keys", "acme", new { name = "ci", scopes = new[] { "users:read" } }, expected: HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;

        Assert.Equal("user-of-acme", await OnlyUserAsync(key, host: null));

        // A header naming another tenant is still that tenant, which the key cannot read.
        using var other = await SendAsync(key, host: null, header: "globex");
        await ApiHost.ProblemAsync(other, HttpStatusCode.Forbidden, "KID2002");
    }

    [Fact]
    public async Task a_system_key_and_the_bootstrap_key_without_host_or_header_are_in_the_default_tenant()
    {
        var created = await _api.OkAsync(HttpMethod.Post, "/v1/admin/api-keys", json: new { name = "ops", scopes = new[] { "users:read" }, system = true }, expected: HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        Assert.Equal("user-of-default", await OnlyUserAsync(key, host: null));
        Assert.Equal("user-of-default", await OnlyUserAsync(ApiHost.AdminKey, host: null));
    }

    private async Task<string> OnlyUserAsync(string key, string? host, string? header = null)
    {
        using var response = await SendAsync(key, host, header);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var items = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("items");
        Assert.Equal(1, items.GetArrayLength());
        return items[0].GetProperty("username").GetString()!;
    }

    private Task<HttpResponseMessage> SendAsync(string key, string? host, string? header)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/v1/users", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        if (header is not null)
        {
            request.Headers.Add("X-Tenant-ID", header);
        }

        return _api.Anonymous.SendAsync(request);
    }
}
