using System.Net;
using System.Net.Http.Headers;
using KoderId.Application.Common;
using KoderId.Application.Credentials.Commands;
using KoderId.Events.Credentials;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Server.Tests.Api;

public sealed class TenantSettingsApiTests : IAsyncLifetime
{
    private const string Strong = "correct horse battery staple 42";
    private ApiHost _api = null!;

    public async Task InitializeAsync()
    {
        _api = ApiHost.Sqlite();
        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "acme", name = "Acme" }, expected: HttpStatusCode.Created);
        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "globex", name = "Globex" }, expected: HttpStatusCode.Created);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task a_new_tenant_has_the_default_settings()
    {
        var settings = await _api.OkAsync(HttpMethod.Get, "/v1/admin/tenants/acme/settings");
        Assert.Equal(12, settings.GetProperty("password").GetProperty("minLength").GetInt32());
        Assert.True(settings.GetProperty("password").GetProperty("maxLength").GetInt32() >= 64);
        Assert.Equal(19_456, settings.GetProperty("password").GetProperty("hashing").GetProperty("memoryKiB").GetInt32());
        Assert.Equal(5, settings.GetProperty("lockout").GetProperty("maxFailedAttempts").GetInt32());
        Assert.Equal(900, settings.GetProperty("tokens").GetProperty("accessTokenSeconds").GetInt32());
        Assert.Equal(3600, settings.GetProperty("tokens").GetProperty("idTokenSeconds").GetInt32());
        Assert.Equal(2_592_000, settings.GetProperty("tokens").GetProperty("refreshTokenSeconds").GetInt32());
        Assert.Equal(60, settings.GetProperty("tokens").GetProperty("authorizationCodeSeconds").GetInt32());
        Assert.Equal("ES256", settings.GetProperty("signing").GetProperty("accessTokenAlgorithm").GetString());
        Assert.Equal("RS256", settings.GetProperty("signing").GetProperty("idTokenAlgorithm").GetString());
    }

    [Fact]
    public async Task a_merge_patch_changes_only_the_members_it_names_and_null_restores_a_default()
    {
        var patched = await PatchAsync("acme", new { password = new { minLength = 16 }, signing = new { idTokenAlgorithm = "ES256" } });
        Assert.Equal(16, patched.GetProperty("password").GetProperty("minLength").GetInt32());
        Assert.Equal(128, patched.GetProperty("password").GetProperty("maxLength").GetInt32());
        Assert.Equal("ES256", patched.GetProperty("signing").GetProperty("idTokenAlgorithm").GetString());
        Assert.Equal("ES256", patched.GetProperty("signing").GetProperty("accessTokenAlgorithm").GetString());

        var again = await _api.OkAsync(HttpMethod.Get, "/v1/admin/tenants/acme/settings");
        Assert.Equal(patched.GetRawText(), again.GetRawText());
        var globex = await _api.OkAsync(HttpMethod.Get, "/v1/admin/tenants/globex/settings");
        Assert.Equal(12, globex.GetProperty("password").GetProperty("minLength").GetInt32());

        var restored = await _api.OkAsync(HttpMethod.Patch, "/v1/admin/tenants/acme/settings", json: new { password = new { minLength = (int?)null } }, mediaType: "application/merge-patch+json");
        Assert.Equal(12, restored.GetProperty("password").GetProperty("minLength").GetInt32());
        Assert.Equal("ES256", restored.GetProperty("signing").GetProperty("idTokenAlgorithm").GetString());
    }

    [Fact]
    public async Task the_same_settings_again_append_nothing()
    {
        await PatchAsync("acme", new { lockout = new { maxFailedAttempts = 3 } });
        var head = await _api.HeadAsync();
        await PatchAsync("acme", new { lockout = new { maxFailedAttempts = 3 } });
        Assert.Equal(head, await _api.HeadAsync());
    }

    [Theory]
    [InlineData("""{"password":{"minLength":7}}""", HttpStatusCode.BadRequest, "KID1032")]
    [InlineData("""{"password":{"maxLength":63}}""", HttpStatusCode.BadRequest, "KID1032")]
    [InlineData("""{"password":{"minLength":100,"maxLength":64}}""", HttpStatusCode.BadRequest, "KID1032")]
    [InlineData("""{"password":{"hashing":{"memoryKiB":4}}}""", HttpStatusCode.BadRequest, "KID1033")]
    [InlineData("""{"password":{"hashing":{"parallelism":0}}}""", HttpStatusCode.BadRequest, "KID1033")]
    [InlineData("""{"lockout":{"maxFailedAttempts":0}}""", HttpStatusCode.BadRequest, "KID1034")]
    [InlineData("""{"lockout":{"baseBackoffSeconds":600,"maxLockDurationSeconds":60}}""", HttpStatusCode.BadRequest, "KID1034")]
    [InlineData("""{"tokens":{"accessTokenSeconds":5}}""", HttpStatusCode.BadRequest, "KID1035")]
    [InlineData("""{"tokens":{"authorizationCodeSeconds":3600}}""", HttpStatusCode.BadRequest, "KID1035")]
    [InlineData("""{"signing":{"accessTokenAlgorithm":"HS256"}}""", HttpStatusCode.BadRequest, "KID1036")]
    [InlineData("""{"signing":{"idTokenAlgorithm":"none"}}""", HttpStatusCode.BadRequest, "KID1036")]
    [InlineData("""{"password":{"colour":"blue"}}""", HttpStatusCode.BadRequest, "KID2004")]
    [InlineData("""{"captcha":{}}""", HttpStatusCode.BadRequest, "KID2004")]
    [InlineData("""{"password":{"minLength":"twelve"}}""", HttpStatusCode.BadRequest, "KID2003")]
    [InlineData("""{"password":12}""", HttpStatusCode.BadRequest, "KID2003")]
    [InlineData("""[1,2]""", HttpStatusCode.BadRequest, "KID2003")]
    [InlineData("""{"password":""", HttpStatusCode.BadRequest, "KID2003")]
    public async Task bad_settings_are_refused_with_a_code_and_nothing_is_written(string body, HttpStatusCode status, string code)
    {
        var head = await _api.HeadAsync();
        using var response = await _api.SendAsync(HttpMethod.Patch, "/v1/admin/tenants/acme/settings", raw: body, mediaType: "application/merge-patch+json");
        await ApiHost.ProblemAsync(response, status, code);
        Assert.Equal(head, await _api.HeadAsync());
    }

    [Fact]
    public async Task an_unknown_tenant_is_a_404_and_a_wrong_media_type_a_415()
    {
        using var get = await _api.SendAsync(HttpMethod.Get, "/v1/admin/tenants/nosuch/settings");
        await ApiHost.ProblemAsync(get, HttpStatusCode.NotFound, "KID1002");
        using var patch = await _api.SendAsync(HttpMethod.Patch, "/v1/admin/tenants/nosuch/settings", raw: "{}", mediaType: "application/merge-patch+json");
        await ApiHost.ProblemAsync(patch, HttpStatusCode.NotFound, "KID1002");
        using var text = await _api.SendAsync(HttpMethod.Patch, "/v1/admin/tenants/acme/settings", raw: "{}", mediaType: "text/plain");
        await ApiHost.ProblemAsync(text, HttpStatusCode.UnsupportedMediaType, "KID2006");
    }

    [Fact]
    public async Task the_tenants_admin_key_manages_its_settings_other_tenants_get_404_and_narrower_keys_403()
    {
        var acmeAdmin = await KeyAsync("acme", "admin");
        using (var own = await SendWithKeyAsync(acmeAdmin, HttpMethod.Patch, "/v1/admin/tenants/acme/settings", """{"tokens":{"accessTokenSeconds":600}}"""))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        using (var other = await SendWithKeyAsync(acmeAdmin, HttpMethod.Get, "/v1/admin/tenants/globex/settings"))
        {
            await ApiHost.ProblemAsync(other, HttpStatusCode.NotFound, "KID1002");
        }

        using (var other = await SendWithKeyAsync(acmeAdmin, HttpMethod.Patch, "/v1/admin/tenants/globex/settings", """{"tokens":{"accessTokenSeconds":600}}"""))
        {
            await ApiHost.ProblemAsync(other, HttpStatusCode.NotFound, "KID1002");
        }

        var reader = await KeyAsync("acme", "users:read");
        using (var narrow = await SendWithKeyAsync(reader, HttpMethod.Get, "/v1/admin/tenants/acme/settings"))
        {
            await ApiHost.ProblemAsync(narrow, HttpStatusCode.Forbidden, "KID2002");
        }

        using (var anonymous = await _api.Anonymous.GetAsync(new Uri("/v1/admin/tenants/acme/settings", UriKind.Relative)))
        {
            await ApiHost.ProblemAsync(anonymous, HttpStatusCode.Unauthorized, "KID2001");
        }

        var globex = await _api.OkAsync(HttpMethod.Get, "/v1/admin/tenants/globex/settings");
        Assert.Equal(900, globex.GetProperty("tokens").GetProperty("accessTokenSeconds").GetInt32());
    }

    [Fact]
    public async Task the_tenants_minimum_length_applies_to_new_passwords()
    {
        var user = await _api.OkAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "ada" }, expected: HttpStatusCode.Created);
        var id = user.GetProperty("id").GetString();
        await PatchAsync("acme", new { password = new { minLength = 40 } });

        using var tooShort = await _api.SendAsync(HttpMethod.Put, $"/v1/users/{id}/password", "acme", new { password = Strong });
        await ApiHost.ProblemAsync(tooShort, HttpStatusCode.BadRequest, "KID1101");
        using var longEnough = await _api.SendAsync(HttpMethod.Put, $"/v1/users/{id}/password", "acme", new { password = Strong + " and a good deal more" });
        Assert.Equal(HttpStatusCode.NoContent, longEnough.StatusCode);
    }

    [Fact]
    public async Task a_new_memory_cost_rehashes_the_stored_password_at_the_next_login()
    {
        var user = await _api.OkAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "grace" }, expected: HttpStatusCode.Created);
        var id = user.GetProperty("id").GetString()!;
        using (var set = await _api.SendAsync(HttpMethod.Put, $"/v1/users/{id}/password", "acme", new { password = Strong }))
        {
            Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        }

        Assert.Contains("$m=19456,", await StoredHashAsync("acme", id), StringComparison.Ordinal);

        await PatchAsync("acme", new { password = new { hashing = new { memoryKiB = 8192, iterations = 1 } } });
        var check = await LoginAsync("acme", id, Strong);
        Assert.True(check.Succeeded);
        Assert.True(check.Rehashed);
        Assert.Contains("$m=8192,t=1,p=1$", await StoredHashAsync("acme", id), StringComparison.Ordinal);

        var again = await LoginAsync("acme", id, Strong);
        Assert.True(again.Succeeded);
        Assert.False(again.Rehashed);
    }

    private Task<System.Text.Json.JsonElement> PatchAsync(string tenant, object patch) =>
        _api.OkAsync(HttpMethod.Patch, $"/v1/admin/tenants/{tenant}/settings", json: patch, mediaType: "application/merge-patch+json");

    private async Task<PasswordCheck> LoginAsync(string tenant, string userId, string password)
    {
        await using var scope = _api.Factory.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<RequestContext>().Actor = "test";
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new VerifyPassword(tenant, userId, password));
    }

    private async Task<string> StoredHashAsync(string tenant, string userId)
    {
        var store = _api.Factory.Services.GetRequiredService<IEventStore>();
        var serializer = _api.Factory.Services.GetRequiredService<EventSerializer>();
        string? hash = null;
        await foreach (var stored in store.ReadStreamAsync(tenant, StreamNames.User(tenant, userId)))
        {
            if ((await serializer.DeserializeAsync(stored)).Event is UserPasswordSet set)
            {
                hash = set.PasswordHash;
            }
        }

        return hash ?? throw new InvalidOperationException("No password was set.");
    }

    private async Task<string> KeyAsync(string tenant, params string[] scopes)
    {
        var created = await _api.OkAsync(HttpMethod.Post, "/v1/admin/api-keys", tenant, new { name = "settings test", scopes }, expected: HttpStatusCode.Created);
        return created.GetProperty("key").GetString()!;
    }

    private Task<HttpResponseMessage> SendWithKeyAsync(string key, HttpMethod method, string path, string? body = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null)
        {
            request.Content = new StringContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        }

        return _api.Anonymous.SendAsync(request);
    }
}
