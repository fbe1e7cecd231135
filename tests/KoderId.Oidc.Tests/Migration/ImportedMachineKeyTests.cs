using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KoderId.Oidc.Clients;
using KoderId.Oidc.Tests.Clients;
using KoderId.Oidc.Tests.Conformance;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace KoderId.Oidc.Tests.Migration;

/// <summary>
/// ADR 0007 end to end: a Zitadel machine user and its key imported over the admin API; the machine then gets a
/// client_credentials token from the real token endpoint with a client_assertion signed by its Zitadel private key,
/// under the new client id (Zitadel's JWT profile used the machine user's id as iss and sub).
/// </summary>
public sealed class ImportedMachineKeyTests : IDisposable
{
    private const string Issuer = "https://pied-piper.koderid.test";
    private const string MachineUserId = "188000000000000002";
    private const string KeyId = "188000000000000003";

    private readonly RSA _key = RSA.Create(2048);
    private readonly RSA _otherKey = RSA.Create(2048);

    public void Dispose()
    {
        _key.Dispose();
        _otherKey.Dispose();
    }

    private string Export(DateTimeOffset expires) => JsonSerializer.Serialize(new
    {
        orgs = new[]
        {
            new
            {
                orgId = "188000000000000001",
                org = new { name = "Pied Piper" },
                machineUsers = new[] { new { userId = MachineUserId, user = new { userName = "compression-bot", name = "Compression bot" } } },
                machineKeys = new[]
                {
                    new
                    {
                        keyId = KeyId, userId = MachineUserId, type = "KEY_TYPE_JSON", expirationDate = expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
                        publicKey = Convert.ToBase64String(Encoding.UTF8.GetBytes(_key.ExportSubjectPublicKeyInfoPem())),
                    },
                },
            },
        },
    });

    [Fact]
    public async Task an_imported_machine_key_authenticates_a_client_credentials_request_under_the_new_client_id_and_another_key_does_not()
    {
        var time = new MovableTime();
        await using var host = await OidcHost.StartAsync(services: time.Register);
        var clientId = await ImportAsync(host, time.UtcNow.AddDays(30));

        var accepted = await TokenAsync(host, Assertion(clientId, clientId, _key, time.UtcNow));
        var body = await ClientHost.JsonAsync(accepted, HttpStatusCode.OK);
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(clientId, OidcHost.Payload(body.GetProperty("access_token").GetString()!).GetProperty("client_id").GetString());

        // Another key under the same kid, and the Zitadel JWT-profile identity (iss = sub = the machine user's id): refused.
        await InvalidClientAsync(await TokenAsync(host, Assertion(clientId, clientId, _otherKey, time.UtcNow)));
        await InvalidClientAsync(await TokenAsync(host, Assertion(MachineUserId, MachineUserId, _key, time.UtcNow)));

        // A re-run finds the client and changes nothing: the imported key still works.
        Assert.Equal(clientId, await ImportAsync(host, time.UtcNow.AddDays(30)));
        using var again = await TokenAsync(host, Assertion(clientId, clientId, _key, time.UtcNow));
        await ClientHost.JsonAsync(again, HttpStatusCode.OK);
    }

    [Fact]
    public async Task the_key_stops_authenticating_at_its_zitadel_expiration_date()
    {
        var time = new MovableTime();
        await using var host = await OidcHost.StartAsync(services: time.Register);
        var clientId = await ImportAsync(host, time.UtcNow.AddHours(1));
        using (var before = await TokenAsync(host, Assertion(clientId, clientId, _key, time.UtcNow)))
        {
            await ClientHost.JsonAsync(before, HttpStatusCode.OK);
        }

        time.Advance(TimeSpan.FromHours(2));

        await InvalidClientAsync(await TokenAsync(host, Assertion(clientId, clientId, _key, time.UtcNow)));
    }

    private async Task<string> ImportAsync(OidcHost host, DateTimeOffset expires)
    {
        using var imported = await host.Host.Api.SendAsync(HttpMethod.Post, "/v1/admin/import/zitadel", raw: Export(expires));
        var report = JsonDocument.Parse(await imported.Content.ReadAsStringAsync()).RootElement;
        Assert.True(imported.StatusCode == HttpStatusCode.OK, report.GetRawText());
        Assert.Equal("pied-piper", report.GetProperty("orgs")[0].GetProperty("tenantId").GetString());
        var client = report.GetProperty("clients")[0];
        Assert.Equal("private_key_jwt", client.GetProperty("tokenEndpointAuthMethod").GetString());
        Assert.Equal(JsonValueKind.Null, client.GetProperty("clientSecret").ValueKind);
        return client.GetProperty("clientId").GetString()!;
    }

    /// <summary>What the machine now signs: RFC 7523 §3 with the new client id as iss and sub, the token endpoint as aud, a jti, at most 5 minutes.</summary>
    private static string Assertion(string issuer, string subject, RSA key, DateTimeOffset now) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = Issuer + "/oauth/v2/token",
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["jti"] = Guid.NewGuid().ToString("N") },
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.UtcDateTime.AddMinutes(2),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
        });

    private static async Task<HttpResponseMessage> TokenAsync(OidcHost host, string assertion)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Issuer + "/oauth/v2/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_assertion_type"] = ClientAuthenticator.JwtBearerAssertionType,
                ["client_assertion"] = assertion,
            }),
        };
        using var client = host.Host.Api.Factory.CreateClient();
        return await client.SendAsync(request);
    }

    private static async Task InvalidClientAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await ClientHost.JsonAsync(response, HttpStatusCode.Unauthorized);
            Assert.Equal("invalid_client", body.GetProperty("error").GetString());
        }
    }
}
