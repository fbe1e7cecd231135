using System.Net;
using System.Text.Json;
using KoderId.Server.Tests.Api;

namespace KoderId.Oidc.Tests.Clients;

public sealed class AdminClientsApiTests : IAsyncLifetime
{
    private static readonly object Web = new
    {
        name = "Shop",
        redirectUris = new[] { "https://shop.example.com/cb" },
        postLogoutRedirectUris = new[] { "https://shop.example.com/" },
        grantTypes = new[] { "authorization_code", "refresh_token" },
        scopes = new[] { "openid", "profile" },
        accessTokenLifetime = 600,
    };

    private ClientHost _host = null!;

    private ApiHost Api => _host.Api;

    public async Task InitializeAsync() => _host = await ClientHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task a_client_is_created_read_listed_patched_rotated_and_deleted()
    {
        using var createResponse = await Api.SendAsync(HttpMethod.Post, "/v1/admin/clients", "acme", Web);
        Assert.Equal(HttpStatusCode.Created, createResponse.StatusCode);
        Assert.Equal("no-store", createResponse.Headers.CacheControl?.ToString());
        var created = JsonDocument.Parse(await createResponse.Content.ReadAsStringAsync()).RootElement;
        var id = created.GetProperty("client").GetProperty("id").GetString()!;
        var secret = created.GetProperty("clientSecret").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", secret);
        Assert.Equal($"/v1/admin/clients/{id}", createResponse.Headers.Location?.ToString());

        var read = await Api.OkAsync(HttpMethod.Get, $"/v1/admin/clients/{id}", "acme");
        Assert.Equal("confidential", read.GetProperty("type").GetString());
        Assert.Equal("client_secret_basic", read.GetProperty("tokenEndpointAuthMethod").GetString());
        Assert.Equal(600, read.GetProperty("accessTokenLifetime").GetInt32());
        Assert.True(read.GetProperty("requirePkce").GetBoolean());
        Assert.Equal("admin", read.GetProperty("registeredVia").GetString());
        Assert.DoesNotContain(secret, read.GetRawText(), StringComparison.Ordinal);
        Assert.False(read.TryGetProperty("secretHash", out _));

        var list = await Api.OkAsync(HttpMethod.Get, "/v1/admin/clients", "acme");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), c => c.GetProperty("id").GetString() == id);

        var patched = await Api.OkAsync(HttpMethod.Patch, $"/v1/admin/clients/{id}", "acme",
            new { name = "Shop 2", accessTokenLifetime = (int?)null, firstParty = true }, "application/merge-patch+json");
        Assert.Equal("Shop 2", patched.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, patched.GetProperty("accessTokenLifetime").ValueKind);
        Assert.True(patched.GetProperty("firstParty").GetBoolean());
        Assert.Equal(["https://shop.example.com/cb"], patched.GetProperty("redirectUris").EnumerateArray().Select(e => e.GetString()));

        using var rotateResponse = await Api.SendAsync(HttpMethod.Post, $"/v1/admin/clients/{id}/secret", "acme");
        var rotated = await ClientHost.JsonAsync(rotateResponse, HttpStatusCode.OK);
        Assert.Equal("no-store", rotateResponse.Headers.CacheControl?.ToString());
        var newSecret = rotated.GetProperty("clientSecret").GetString()!;
        Assert.NotEqual(secret, newSecret);

        using var deleted = await Api.SendAsync(HttpMethod.Delete, $"/v1/admin/clients/{id}", "acme");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await Api.SendAsync(HttpMethod.Get, $"/v1/admin/clients/{id}", "acme");
        await ApiHost.ProblemAsync(gone, HttpStatusCode.NotFound, "KID1200");

        var log = await _host.WholeLogAsync();
        Assert.Contains("client.registered.v1", log, StringComparison.Ordinal);
        Assert.Contains("client.secret-rotated.v1", log, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        Assert.DoesNotContain(newSecret, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task another_tenants_client_is_a_404_for_every_verb()
    {
        var (id, _) = await _host.CreateClientAsync("acme", Web);
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"/v1/admin/clients/{id}"), (HttpMethod.Delete, $"/v1/admin/clients/{id}"), (HttpMethod.Post, $"/v1/admin/clients/{id}/secret"),
        })
        {
            using var response = await Api.SendAsync(method, path, "globex");
            await ApiHost.ProblemAsync(response, HttpStatusCode.NotFound, "KID1200");
        }

        using var patch = await Api.SendAsync(HttpMethod.Patch, $"/v1/admin/clients/{id}", "globex", new { name = "x" }, mediaType: "application/merge-patch+json");
        await ApiHost.ProblemAsync(patch, HttpStatusCode.NotFound, "KID1200");
        var list = await Api.OkAsync(HttpMethod.Get, "/v1/admin/clients", "globex");
        Assert.Empty(list.GetProperty("items").EnumerateArray());

        var globexKey = await _host.CreateKeyAsync("globex", "clients:read");
        using var viaKey = await _host.SendAsync(HttpMethod.Get, $"/v1/admin/clients/{id}", globexKey, "acme");
        await ApiHost.ProblemAsync(viaKey, HttpStatusCode.NotFound, "KID1200");
        using var unknown = await Api.SendAsync(HttpMethod.Get, "/v1/admin/clients/not-a-client-id", "acme");
        await ApiHost.ProblemAsync(unknown, HttpStatusCode.NotFound, "KID1200");
    }

    [Fact]
    public async Task clients_read_reads_clients_write_writes_and_other_scopes_do_neither()
    {
        var (id, _) = await _host.CreateClientAsync("acme", Web);
        var reader = await _host.CreateKeyAsync("acme", "clients:read");
        var writer = await _host.CreateKeyAsync("acme", "clients:write");
        var users = await _host.CreateKeyAsync("acme", "users:read", "users:write");
        var admin = await _host.CreateKeyAsync("acme", "admin");
        var body = JsonSerializer.Serialize(Web, JsonSerializerOptions.Web);

        using (var r = await _host.SendAsync(HttpMethod.Get, $"/v1/admin/clients/{id}", reader, "acme")) { Assert.Equal(HttpStatusCode.OK, r.StatusCode); }
        using (var r = await _host.SendAsync(HttpMethod.Post, "/v1/admin/clients", reader, "acme", json: body)) { await ApiHost.ProblemAsync(r, HttpStatusCode.Forbidden, "KID2002"); }
        using (var r = await _host.SendAsync(HttpMethod.Post, "/v1/admin/clients", writer, "acme", json: body)) { Assert.Equal(HttpStatusCode.Created, r.StatusCode); }
        using (var r = await _host.SendAsync(HttpMethod.Get, "/v1/admin/clients", writer, "acme")) { await ApiHost.ProblemAsync(r, HttpStatusCode.Forbidden, "KID2002"); }
        using (var r = await _host.SendAsync(HttpMethod.Get, "/v1/admin/clients", users, "acme")) { await ApiHost.ProblemAsync(r, HttpStatusCode.Forbidden, "KID2002"); }
        using (var r = await _host.SendAsync(HttpMethod.Post, $"/v1/admin/clients/{id}/secret", admin, "acme")) { Assert.Equal(HttpStatusCode.OK, r.StatusCode); }
        using (var r = await _host.SendAsync(HttpMethod.Get, "/v1/admin/clients", null, "acme")) { await ApiHost.ProblemAsync(r, HttpStatusCode.Unauthorized, "KID2001"); }
    }

    [Theory]
    [InlineData("""{"name":"x","redirectUris":["https://a.example/cb#f"]}""", 400, "KID1202")]
    [InlineData("""{"name":"x","redirectUris":["http://a.example/cb"]}""", 400, "KID1202")]
    [InlineData("""{"name":"x","redirectUris":["JaVaScRiPt:alert(1)"]}""", 400, "KID1202")]
    [InlineData("""{"name":"x","redirectUris":["https://a.example/cb"],"tokenEndpointAuthMethod":"tls_client_auth"}""", 400, "KID1207")]
    [InlineData("""{"name":"x","redirectUris":["https://a.example/cb"],"unknown":1}""", 400, "KID2004")]
    [InlineData("""{"name":"x","redirectUris":"https://a.example/cb"}""", 400, "KID2003")]
    [InlineData("""{"name":"x",""", 400, "KID2003")]
    [InlineData("""[]""", 400, "KID2003")]
    [InlineData("""{"name":"x","grantTypes":["client_credentials"],"accessTokenLifetime":"long"}""", 400, "KID2003")]
    [InlineData("""{"name":"x","grantTypes":["client_credentials"],"tokenEndpointAuthMethod":"private_key_jwt","jwks":{"keys":[]}}""", 400, "KID1208")]
    public async Task bad_bodies_are_4xx_with_a_code_and_write_nothing(string body, int status, string code)
    {
        var head = await Api.HeadAsync();
        using var response = await Api.SendAsync(HttpMethod.Post, "/v1/admin/clients", "acme", raw: body);
        await ApiHost.ProblemAsync(response, (HttpStatusCode)status, code);
        Assert.Equal(head, await Api.HeadAsync());
    }

    [Fact]
    public async Task an_oversized_body_and_a_wrong_media_type_are_refused()
    {
        using var large = await Api.SendAsync(HttpMethod.Post, "/v1/admin/clients", "acme", raw: $$"""{"name":"{{new string('a', 1_100_000)}}"}""");
        await ApiHost.ProblemAsync(large, HttpStatusCode.RequestEntityTooLarge, "KID2005");
        using var text = await Api.SendAsync(HttpMethod.Post, "/v1/admin/clients", "acme", raw: "name=x", mediaType: "text/plain");
        await ApiHost.ProblemAsync(text, HttpStatusCode.UnsupportedMediaType, "KID2006");
    }

    [Fact]
    public async Task a_patch_with_an_unknown_member_or_breaking_a_rule_changes_nothing()
    {
        var (id, _) = await _host.CreateClientAsync("acme", Web);
        using var unknown = await Api.SendAsync(HttpMethod.Patch, $"/v1/admin/clients/{id}", "acme", new { secretHash = "x" }, mediaType: "application/merge-patch+json");
        await ApiHost.ProblemAsync(unknown, HttpStatusCode.BadRequest, "KID2004");
        using var type = await Api.SendAsync(HttpMethod.Patch, $"/v1/admin/clients/{id}", "acme", new { type = "public", tokenEndpointAuthMethod = "none" }, mediaType: "application/merge-patch+json");
        await ApiHost.ProblemAsync(type, HttpStatusCode.Conflict, "KID1213");
        using var uri = await Api.SendAsync(HttpMethod.Patch, $"/v1/admin/clients/{id}", "acme", new { redirectUris = new[] { "data:text/html,x" } }, mediaType: "application/merge-patch+json");
        await ApiHost.ProblemAsync(uri, HttpStatusCode.BadRequest, "KID1202");
        var read = await Api.OkAsync(HttpMethod.Get, $"/v1/admin/clients/{id}", "acme");
        Assert.Equal(1, read.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task a_public_client_has_no_secret_and_cannot_rotate_one()
    {
        var (id, secret) = await _host.CreateClientAsync("acme", new { name = "App", type = "public", redirectUris = new[] { "com.example.app:/cb", "http://127.0.0.1/cb" } });
        Assert.Null(secret);
        using var rotate = await Api.SendAsync(HttpMethod.Post, $"/v1/admin/clients/{id}/secret", "acme");
        await ApiHost.ProblemAsync(rotate, HttpStatusCode.Conflict, "KID1214");
    }

    [Fact]
    public async Task the_list_pages_in_creation_order()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await _host.CreateClientAsync("acme", new { name = $"m{i}", grantTypes = new[] { "client_credentials" } })).Id);
        }

        var first = await Api.OkAsync(HttpMethod.Get, "/v1/admin/clients?limit=2", "acme");
        Assert.Equal(ids[..2], first.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        var next = first.GetProperty("next").GetString();
        var second = await Api.OkAsync(HttpMethod.Get, $"/v1/admin/clients?limit=2&after={next}", "acme");
        Assert.Equal(ids[2..], second.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        using var bad = await Api.SendAsync(HttpMethod.Get, "/v1/admin/clients?limit=0", "acme");
        await ApiHost.ProblemAsync(bad, HttpStatusCode.BadRequest, "KID2007");
    }
}
