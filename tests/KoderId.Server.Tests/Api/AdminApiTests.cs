using System.Net;
using System.Text;
using System.Text.Json;

namespace KoderId.Server.Tests.Api;

public sealed class AdminApiTests : IAsyncLifetime
{
    private ApiHost _api = null!;

    public async Task InitializeAsync()
    {
        _api = ApiHost.Sqlite();
        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "acme", name = "Acme" }, expected: HttpStatusCode.Created);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task the_main_flow_runs_on_sqlite()
    {
        await using var api = ApiHost.Sqlite();
        await UserLifecycle.RunAsync(api);
    }

    [Fact]
    public async Task the_default_tenant_exists_after_start_up()
    {
        var tenant = await _api.OkAsync(HttpMethod.Get, "/v1/admin/tenants/default");
        Assert.Equal("active", tenant.GetProperty("status").GetString());
        var list = await _api.OkAsync(HttpMethod.Get, "/v1/admin/tenants");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetString() == "default");
    }

    [Fact]
    public async Task no_key_or_a_wrong_key_is_a_401_problem_with_a_bearer_challenge()
    {
        using var none = await _api.Anonymous.GetAsync(new Uri("/v1/users", UriKind.Relative));
        await ApiHost.ProblemAsync(none, HttpStatusCode.Unauthorized, "KID2001");
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.ToString());

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/v1/admin/tenants", UriKind.Relative));
        request.Headers.Authorization = new("Bearer", ApiHost.AdminKey + "x");
        using var wrong = await _api.Anonymous.SendAsync(request);
        await ApiHost.ProblemAsync(wrong, HttpStatusCode.Unauthorized, "KID2001");
    }

    [Fact]
    public async Task an_unknown_tenant_is_a_404_problem()
    {
        using var response = await _api.SendAsync(HttpMethod.Get, "/v1/users", "nope");
        await ApiHost.ProblemAsync(response, HttpStatusCode.NotFound, "KID1002");
    }

    [Fact]
    public async Task a_blocked_tenant_refuses_user_endpoints_with_403()
    {
        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "frozen", name = "Frozen" }, expected: HttpStatusCode.Created);
        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants/frozen/block", json: new { reason = "unpaid" });

        using var list = await _api.SendAsync(HttpMethod.Get, "/v1/users", "frozen");
        await ApiHost.ProblemAsync(list, HttpStatusCode.Forbidden, "KID1003");
        using var create = await _api.SendAsync(HttpMethod.Post, "/v1/users", "frozen", new { username = "x" });
        await ApiHost.ProblemAsync(create, HttpStatusCode.Forbidden, "KID1003");

        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants/frozen/unblock");
        await _api.OkAsync(HttpMethod.Get, "/v1/users", "frozen");
    }

    [Fact]
    public async Task a_user_of_tenant_a_is_not_found_through_tenant_b()
    {
        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "other", name = "Other" }, expected: HttpStatusCode.Created);
        var user = await _api.OkAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "carol" }, expected: HttpStatusCode.Created);
        var id = user.GetProperty("id").GetString();

        using var get = await _api.SendAsync(HttpMethod.Get, $"/v1/users/{id}", "other");
        await ApiHost.ProblemAsync(get, HttpStatusCode.NotFound, "KID1011");
        using var disable = await _api.SendAsync(HttpMethod.Post, $"/v1/users/{id}/disable", "other");
        await ApiHost.ProblemAsync(disable, HttpStatusCode.NotFound, "KID1011");
        using var erase = await _api.SendAsync(HttpMethod.Post, $"/v1/users/{id}/erase", "other");
        await ApiHost.ProblemAsync(erase, HttpStatusCode.NotFound, "KID1011");
        Assert.Equal("active", (await _api.OkAsync(HttpMethod.Get, $"/v1/users/{id}", "acme")).GetProperty("status").GetString());
    }

    public static TheoryData<string, string, string, int, string> BadBodies() => new()
    {
        { "POST", "/v1/users", "{\"username\": ", 400, "KID2003" },
        { "POST", "/v1/users", "[1, 2]", 400, "KID2003" },
        { "POST", "/v1/users", "{\"email\": \"a@example.com\"}", 400, "KID2003" },
        { "POST", "/v1/users", "{\"username\": \"dave\", \"isAdmin\": true}", 400, "KID2004" },
        { "POST", "/v1/users", "{\"username\": \"dave\", \"email\": \"not an address\"}", 400, "KID1015" },
        { "POST", "/v1/users", "{\"username\": 42}", 400, "KID2003" },
        { "POST", "/v1/admin/tenants", "{\"id\": \"x1\", \"name\": \"X\", \"plan\": \"gold\"}", 400, "KID2004" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task a_bad_body_is_a_4xx_problem_and_writes_nothing(string method, string path, string body, int status, string code)
    {
        var head = await _api.HeadAsync();

        using var response = await _api.SendAsync(new HttpMethod(method), path, "acme", raw: body);

        await ApiHost.ProblemAsync(response, (HttpStatusCode)status, code);
        Assert.Equal(head, await _api.HeadAsync());
    }

    [Fact]
    public async Task a_wrong_content_type_is_a_415_problem_and_writes_nothing()
    {
        var head = await _api.HeadAsync();

        using var response = await _api.SendAsync(HttpMethod.Post, "/v1/users", "acme", raw: "username=dave", mediaType: "application/x-www-form-urlencoded");

        await ApiHost.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "KID2006");
        Assert.Equal(head, await _api.HeadAsync());
    }

    [Fact]
    public async Task an_unknown_member_in_a_merge_patch_is_refused_and_writes_nothing()
    {
        var user = await _api.OkAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "erin" }, expected: HttpStatusCode.Created);
        var head = await _api.HeadAsync();

        using var response = await _api.SendAsync(HttpMethod.Patch, $"/v1/users/{user.GetProperty("id").GetString()}", "acme",
            raw: "{\"givenName\": \"Erin\", \"username\": \"root\"}", mediaType: "application/merge-patch+json");

        await ApiHost.ProblemAsync(response, HttpStatusCode.BadRequest, "KID2004");
        Assert.Equal(head, await _api.HeadAsync());
    }

    [Fact]
    public async Task a_body_over_one_mebibyte_is_a_413_problem_and_writes_nothing()
    {
        var head = await _api.HeadAsync();
        var body = "{\"username\": \"frank\", \"displayName\": \"" + new string('x', 1024 * 1024) + "\"}";

        using var response = await _api.SendAsync(HttpMethod.Post, "/v1/users", "acme", raw: body);

        await ApiHost.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "KID2005");
        Assert.Equal(head, await _api.HeadAsync());
    }

    [Fact]
    public async Task fifty_concurrent_creations_of_one_username_give_one_201_and_49_conflicts()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            _api.SendAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "grace", email = $"grace{i}@example.com" })));
        try
        {
            Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
            var conflicts = responses.Where(r => r.StatusCode != HttpStatusCode.Created).ToArray();
            Assert.Equal(49, conflicts.Length);
            foreach (var conflict in conflicts)
            {
                await ApiHost.ProblemAsync(conflict, HttpStatusCode.Conflict, "KID1010");
            }
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task a_sane_correlation_id_is_echoed_and_recorded_and_an_unsafe_one_replaced()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/users", UriKind.Relative))
        {
            Content = new StringContent("{\"username\": \"heidi\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Tenant-ID", "acme");
        request.Headers.Add("X-Correlation-ID", "req-42.a_b");
        using var response = await _api.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("req-42.a_b", response.Headers.GetValues("X-Correlation-ID").Single());
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        var audit = await _api.AuditAsync($"subject={id}", items => items.Length > 0);
        Assert.Equal("req-42.a_b", Assert.Single(audit).GetProperty("correlationId").GetString());

        using var unsafeRequest = new HttpRequestMessage(HttpMethod.Get, new Uri("/v1/users", UriKind.Relative));
        unsafeRequest.Headers.TryAddWithoutValidation("X-Correlation-ID", "<script>" + new string('a', 80));
        using var replaced = await _api.Client.SendAsync(unsafeRequest);
        Assert.Matches("^[0-9a-f]{32}$", replaced.Headers.GetValues("X-Correlation-ID").Single());
    }

    [Fact]
    public async Task the_openapi_document_is_anonymous_json_of_version_3_1()
    {
        using var response = await _api.Anonymous.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("3.1", document.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.True(document.RootElement.GetProperty("paths").TryGetProperty("/v1/users", out _));
    }
}
