using System.Net;
using System.Text.Json;

namespace KoderId.Server.Tests.Api;

/// <summary><c>POST /v1/admin/import/zitadel</c>: the system admin imports a Zitadel export (ADR 0007).</summary>
public sealed class ImportApiTests : IAsyncLifetime
{
    private const string Export = """
        {"dataOrgs": {"orgs": [{
          "orgId": "191279307643945217",
          "org": {"name": "Test Org"},
          "humanUsers": [
            {"userId": "120080115081209416", "user": {"userName": "testuser",
              "profile": {"firstName": "Test", "lastName": "User", "displayName": "Test User", "preferredLanguage": "und"},
              "email": {"email": "test@acme.example", "isEmailVerified": true},
              "hashedPassword": {"value": "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "algorithm": "bcrypt"}}}
          ],
          "oidcApps": [{"appId": "5", "app": {"projectId": "4", "name": "Web", "redirectUris": ["https://app.acme.example/cb"]}}]
        }]}, "timeout": "10m"}
        """;

    private ApiHost _api = null!;

    public Task InitializeAsync()
    {
        _api = ApiHost.Sqlite();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task the_system_admin_imports_an_export_and_the_users_are_listed_at_once()
    {
        var report = await ImportAsync(Export, HttpStatusCode.OK);

        Assert.Equal(1, report.GetProperty("counts").GetProperty("users").GetProperty("created").GetInt32());
        var client = report.GetProperty("clients")[0];
        Assert.Equal(32, client.GetProperty("clientId").GetString()!.Length);
        Assert.False(string.IsNullOrEmpty(client.GetProperty("clientSecret").GetString()));

        var users = await _api.OkAsync(HttpMethod.Get, "/v1/users", "test-org");
        Assert.Equal("testuser", Assert.Single(users.GetProperty("items").EnumerateArray()).GetProperty("username").GetString());
        Assert.DoesNotContain("$2a$", report.GetRawText(), StringComparison.Ordinal);

        var again = await ImportAsync(Export, HttpStatusCode.OK);
        Assert.Equal(1, again.GetProperty("counts").GetProperty("users").GetProperty("existing").GetInt32());
    }

    [Fact]
    public async Task a_dry_run_answers_the_plan_and_writes_nothing()
    {
        var head = await _api.HeadAsync();

        var report = await ImportAsync(Export, HttpStatusCode.OK, "?dry_run=true");

        Assert.True(report.GetProperty("dryRun").GetBoolean());
        Assert.Equal(1, report.GetProperty("counts").GetProperty("users").GetProperty("created").GetInt32());
        Assert.Equal(head, await _api.HeadAsync());
    }

    [Fact]
    public async Task a_body_that_is_not_json_is_a_400_naming_the_path()
    {
        using var response = await _api.SendAsync(HttpMethod.Post, "/v1/admin/import/zitadel", raw: "{\"orgs\": [");
        var problem = await ApiHost.ProblemAsync(response, HttpStatusCode.BadRequest, "KID2290");
        Assert.Equal("$", problem.GetProperty("path").GetString());
    }

    [Fact]
    public async Task an_org_that_fails_is_a_422_with_every_error_path_and_nothing_of_it_written()
    {
        var head = await _api.HeadAsync();
        var broken = Export.Replace("\"userName\": \"testuser\",", "", StringComparison.Ordinal);

        using var response = await _api.SendAsync(HttpMethod.Post, "/v1/admin/import/zitadel", raw: broken);

        var problem = await ApiHost.ProblemAsync(response, (HttpStatusCode)422, "KID2291");
        Assert.Equal("$.dataOrgs.orgs[0].humanUsers[0].user.userName", problem.GetProperty("errors")[0].GetProperty("path").GetString());
        Assert.Equal(head, await _api.HeadAsync());
    }

    [Theory]
    [InlineData("?dry_run=maybe", "KID2007", HttpStatusCode.BadRequest)]
    public async Task a_bad_query_is_refused(string query, string code, HttpStatusCode status)
    {
        using var response = await _api.SendAsync(HttpMethod.Post, "/v1/admin/import/zitadel" + query, raw: Export);
        await ApiHost.ProblemAsync(response, status, code);
    }

    [Fact]
    public async Task another_media_type_is_a_415()
    {
        using var response = await _api.SendAsync(HttpMethod.Post, "/v1/admin/import/zitadel", raw: Export, mediaType: "text/plain");
        await ApiHost.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "KID2006");
    }

    [Fact]
    public async Task only_the_system_admin_may_import()
    {
        using var anonymous = await _api.Anonymous.PostAsync(new Uri("/v1/admin/import/zitadel", UriKind.Relative), new StringContent(Export, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "acme", name = "Acme" }, expected: HttpStatusCode.Created);
        var key = await _api.OkAsync(HttpMethod.Post, "/v1/admin/api-keys", "acme", new { name = "ops", scopes = new[] { "admin" } }, expected: HttpStatusCode.Created);
        using var tenantAdmin = _api.Factory.CreateClient();
        tenantAdmin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key.GetProperty("key").GetString());
        using var refused = await tenantAdmin.PostAsync(new Uri("/v1/admin/import/zitadel", UriKind.Relative), new StringContent(Export, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    private async Task<JsonElement> ImportAsync(string body, HttpStatusCode expected, string query = "")
    {
        using var response = await _api.SendAsync(HttpMethod.Post, "/v1/admin/import/zitadel" + query, raw: body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {expected}, got {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
