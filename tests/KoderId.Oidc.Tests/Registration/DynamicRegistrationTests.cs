using System.Net;
using System.Text.Json;
using KoderId.Oidc.Clients;
using KoderId.Oidc.Common;
using KoderId.Oidc.Tests.Clients;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace KoderId.Oidc.Tests.Registration;

/// <summary>RFC 7591 registration and RFC 7592 management, on acme's own host.</summary>
public sealed class DynamicRegistrationTests : IAsyncLifetime
{
    private const string Acme = "acme." + ClientHost.BaseDomain;
    private const string Path = "/oauth/v2/register";
    private const string Web = """{"client_name":"RP","redirect_uris":["https://rp.example.com/cb"],"grant_types":["authorization_code","refresh_token"],"scope":"openid profile","unknown_member":"ignored"}""";
    private ClientHost _host = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _host = await ClientHost.StartAsync();
        _token = await _host.CreateKeyAsync("acme", "clients:write");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task a_client_registers_with_an_initial_access_token_and_gets_its_secrets_once()
    {
        using var response = await _host.SendAsync(HttpMethod.Post, Path, _token, host: Acme, json: Web);
        var body = await ClientHost.JsonAsync(response, HttpStatusCode.Created);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var id = body.GetProperty("client_id").GetString()!;
        var secret = body.GetProperty("client_secret").GetString()!;
        var registrationToken = body.GetProperty("registration_access_token").GetString()!;
        Assert.Equal($"http://{Acme}{Path}/{id}", body.GetProperty("registration_client_uri").GetString());
        Assert.Equal(0, body.GetProperty("client_secret_expires_at").GetInt32());
        Assert.Equal("client_secret_basic", body.GetProperty("token_endpoint_auth_method").GetString());
        Assert.Equal("openid profile", body.GetProperty("scope").GetString());

        var admin = await _host.Api.OkAsync(HttpMethod.Get, $"/v1/admin/clients/{id}", "acme");
        Assert.Equal("dynamic", admin.GetProperty("registeredVia").GetString());
        Assert.False(admin.GetProperty("firstParty").GetBoolean());

        var tenant = await _host.TenantAsync("acme");
        var http = new DefaultHttpContext();
        http.Request.Headers.Authorization = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{id}:{secret}"));
        var client = await _host.Services.GetRequiredService<ClientAuthenticator>().AuthenticateAsync(http, tenant, new FormCollection([]));
        Assert.Equal(id, client.ClientId);

        var log = await _host.WholeLogAsync();
        Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        Assert.DoesNotContain(registrationToken, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task registration_needs_an_initial_access_token_of_this_tenant_with_clients_write()
    {
        var readOnly = await _host.CreateKeyAsync("acme", "clients:read");
        var globex = await _host.CreateKeyAsync("globex", "clients:write");
        foreach (var bearer in new[] { null, readOnly, globex, "kid_garbage" })
        {
            using var response = await _host.SendAsync(HttpMethod.Post, Path, bearer, host: Acme, json: Web);
            await ClientHost.OAuthErrorAsync(response, HttpStatusCode.Unauthorized, OAuthErrors.InvalidToken, ClientProtocolErrors.RegistrationUnauthorized);
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using var admin = await _host.SendAsync(HttpMethod.Post, Path, Server.Tests.Api.ApiHost.AdminKey, host: Acme, json: Web);
        Assert.Equal(HttpStatusCode.Created, admin.StatusCode);
    }

    [Fact]
    public async Task open_registration_is_allowed_only_when_configured()
    {
        await using var open = await ClientHost.StartAsync(anonymousRegistration: true);
        using var response = await open.SendAsync(HttpMethod.Post, Path, host: Acme, json: Web);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"redirect_uris":["https://rp.example.com/cb#frag"]}""", "invalid_redirect_uri", "KID2105")]
    [InlineData("""{"redirect_uris":["http://rp.example.com/cb"]}""", "invalid_redirect_uri", "KID2105")]
    [InlineData("""{"redirect_uris":["JaVaScRiPt:alert(document.cookie)"]}""", "invalid_redirect_uri", "KID2105")]
    [InlineData("""{"redirect_uris":["data:text/html,<script>alert(1)</script>"]}""", "invalid_redirect_uri", "KID2105")]
    [InlineData("""{"redirect_uris":["https://rp.example.com/cb"],"post_logout_redirect_uris":["vbscript:x"]}""", "invalid_redirect_uri", "KID2105")]
    [InlineData("""{"grant_types":["authorization_code"]}""", "invalid_redirect_uri", "KID2105")]
    [InlineData("""{"redirect_uris":["https://rp.example.com/cb"],"token_endpoint_auth_method":"client_secret_jwt"}""", "invalid_client_metadata", "KID2104")]
    [InlineData("""{"redirect_uris":["https://rp.example.com/cb"],"grant_types":["implicit"]}""", "invalid_client_metadata", "KID2104")]
    [InlineData("""{"redirect_uris":"https://rp.example.com/cb"}""", "invalid_client_metadata", "KID2104")]
    [InlineData("""{"redirect_uris":["https://rp.example.com/cb"],"jwks":"not-an-object"}""", "invalid_client_metadata", "KID2104")]
    [InlineData("""{"redirect_uris":["https://rp.example.com/cb"],"scope":"openid \"x"}""", "invalid_client_metadata", "KID2104")]
    [InlineData("""{"redirect_uris":["https://rp.example.com/cb"]""", "invalid_request", "KID2107")]
    [InlineData("""[1,2]""", "invalid_client_metadata", "KID2104")]
    public async Task metadata_that_breaks_a_rule_is_an_rfc7591_error_and_writes_nothing(string body, string error, string code)
    {
        var head = await _host.Api.HeadAsync();
        using var response = await _host.SendAsync(HttpMethod.Post, Path, _token, host: Acme, json: body);
        await ClientHost.OAuthErrorAsync(response, HttpStatusCode.BadRequest, error, code);
        Assert.Equal(head, await _host.Api.HeadAsync());
    }

    [Fact]
    public async Task an_oversized_body_or_a_wrong_media_type_is_refused()
    {
        using var large = await _host.SendAsync(HttpMethod.Post, Path, _token, host: Acme, json: $$"""{"client_name":"{{new string('a', 70_000)}}"}""");
        await ClientHost.OAuthErrorAsync(large, HttpStatusCode.RequestEntityTooLarge, "invalid_request", "KID2108");
        using var form = await _host.SendAsync(HttpMethod.Post, Path, _token, host: Acme, json: "client_name=x", mediaType: "application/x-www-form-urlencoded");
        await ClientHost.OAuthErrorAsync(form, HttpStatusCode.UnsupportedMediaType, "invalid_request", "KID2109");
    }

    [Fact]
    public async Task the_registration_access_token_reads_updates_and_deletes_its_client()
    {
        var (id, token, uri) = await RegisterAsync();

        using (var read = await _host.SendAsync(HttpMethod.Get, uri, token, host: Acme))
        {
            var body = await ClientHost.JsonAsync(read, HttpStatusCode.OK);
            Assert.Equal(id, body.GetProperty("client_id").GetString());
            Assert.False(body.TryGetProperty("client_secret", out _));
            Assert.Equal("no-store", read.Headers.CacheControl?.ToString());
        }

        var update = $$"""{"client_id":"{{id}}","client_name":"RP 2","redirect_uris":["https://rp.example.com/cb2"],"grant_types":["authorization_code"]}""";
        using (var put = await _host.SendAsync(HttpMethod.Put, uri, token, host: Acme, json: update))
        {
            var body = await ClientHost.JsonAsync(put, HttpStatusCode.OK);
            Assert.Equal("RP 2", body.GetProperty("client_name").GetString());
            Assert.Equal(["https://rp.example.com/cb2"], body.GetProperty("redirect_uris").EnumerateArray().Select(e => e.GetString()));
        }

        using (var bad = await _host.SendAsync(HttpMethod.Put, uri, token, host: Acme, json: $$"""{"client_id":"{{id}}","redirect_uris":["http://evil.example/cb"]}"""))
        {
            await ClientHost.OAuthErrorAsync(bad, HttpStatusCode.BadRequest, "invalid_redirect_uri", "KID2105");
        }

        using (var otherId = await _host.SendAsync(HttpMethod.Put, uri, token, host: Acme, json: """{"client_id":"0197a3f2c1d47c3e9b5a2f6d8e0c1b2a","redirect_uris":["https://rp.example.com/cb"]}"""))
        {
            await ClientHost.OAuthErrorAsync(otherId, HttpStatusCode.BadRequest, "invalid_request", "KID2107");
        }

        using (var delete = await _host.SendAsync(HttpMethod.Delete, uri, token, host: Acme))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using var after = await _host.SendAsync(HttpMethod.Get, uri, token, host: Acme);
        await ClientHost.OAuthErrorAsync(after, HttpStatusCode.Unauthorized, OAuthErrors.InvalidToken, ClientProtocolErrors.InvalidRegistrationToken);
    }

    [Fact]
    public async Task a_wrong_or_missing_registration_token_and_another_tenants_host_answer_the_same_401()
    {
        var (id, token, uri) = await RegisterAsync();
        var (_, otherToken, _) = await RegisterAsync();
        var admin = await _host.CreateClientAsync("acme", new { name = "Admin made", grantTypes = new[] { "client_credentials" } });
        (string? Bearer, string Host, string Path)[] attempts =
        [
            (token[..^2] + "xx", Acme, uri), (otherToken, Acme, uri), (null, Acme, uri), (Server.Tests.Api.ApiHost.AdminKey, Acme, uri),
            (token, "globex." + ClientHost.BaseDomain, uri), (token, Acme, $"{Path}/{admin.Id}"), (token, Acme, $"{Path}/nonsense"),
        ];
        foreach (var (bearer, host, path) in attempts)
        {
            using var response = await _host.SendAsync(HttpMethod.Get, path, bearer, host: host);
            await ClientHost.OAuthErrorAsync(response, HttpStatusCode.Unauthorized, OAuthErrors.InvalidToken, ClientProtocolErrors.InvalidRegistrationToken);
        }

        using var delete = await _host.SendAsync(HttpMethod.Delete, uri, otherToken, host: Acme);
        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
        await _host.Api.OkAsync(HttpMethod.Get, $"/v1/admin/clients/{id}", "acme");
    }

    [Fact]
    public async Task a_native_client_registers_as_public_with_a_private_use_scheme_and_no_secret()
    {
        var body = """{"client_name":"Native","redirect_uris":["com.example.app:/cb","http://127.0.0.1/cb"],"token_endpoint_auth_method":"none"}""";
        using var response = await _host.SendAsync(HttpMethod.Post, Path, _token, host: Acme, json: body);
        var created = await ClientHost.JsonAsync(response, HttpStatusCode.Created);
        Assert.False(created.TryGetProperty("client_secret", out _));
        Assert.Equal("native", created.GetProperty("application_type").GetString());

        var confidential = """{"redirect_uris":["com.example.app:/cb"]}""";
        using var refused = await _host.SendAsync(HttpMethod.Post, Path, _token, host: Acme, json: confidential);
        await ClientHost.OAuthErrorAsync(refused, HttpStatusCode.BadRequest, "invalid_redirect_uri", "KID2105");
    }

    private async Task<(string Id, string Token, string Uri)> RegisterAsync()
    {
        using var response = await _host.SendAsync(HttpMethod.Post, Path, _token, host: Acme, json: Web);
        var body = await ClientHost.JsonAsync(response, HttpStatusCode.Created);
        var id = body.GetProperty("client_id").GetString()!;
        return (id, body.GetProperty("registration_access_token").GetString()!, $"{Path}/{id}");
    }
}
