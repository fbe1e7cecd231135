using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Events.Clients;
using KoderId.Migration.Zitadel.Import;

namespace KoderId.Migration.Zitadel.Tests;

/// <summary>ADR 0007: a machine user's keys (DataMachineKey) become the JWK set of its client, which then authenticates with private_key_jwt.</summary>
public sealed class MachineKeyImportTests : IDisposable
{
    private const string OrgId = "100000000000000007";
    private const string Bot = "370000000000000001";
    private const string Tenant = "hooli";
    private const string NeverExpires = "9999-12-31T23:59:59Z";

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _rsa.Dispose();
        _ec.Dispose();
    }

    /// <summary>The bytes field as protobuf JSON writes it: base64 of the PEM text.</summary>
    public static string Bytes(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public static JsonObject Key(string keyId, string publicKey, string userId = Bot, string? expiration = NeverExpires, string? type = "KEY_TYPE_JSON")
    {
        var key = new JsonObject { ["keyId"] = keyId, ["userId"] = userId, ["publicKey"] = publicKey };
        if (type is not null)
        {
            key["type"] = type;
        }

        if (expiration is not null)
        {
            key["expirationDate"] = expiration;
        }

        return key;
    }

    /// <summary>An org with a human user and two machine users (the second without keys unless given some).</summary>
    public static JsonObject Org(params JsonObject[] keys) => new()
    {
        ["orgId"] = OrgId,
        ["org"] = new JsonObject { ["name"] = "Hooli" },
        ["humanUsers"] = new JsonArray(Exports.Human("270000000000000001", "gavin")),
        ["machineUsers"] = new JsonArray(
            new JsonObject { ["userId"] = Bot, ["user"] = new JsonObject { ["userName"] = "deploy-bot", ["name"] = "Deploy bot" } },
            new JsonObject { ["userId"] = "370000000000000002", ["user"] = new JsonObject { ["userName"] = "report-bot" } }),
        ["machineKeys"] = new JsonArray(keys),
    };

    [Fact]
    public async Task a_machine_users_rsa_and_ec_keys_become_the_jwks_of_its_private_key_jwt_client_without_a_secret()
    {
        await using var host = new ImportHost();
        var report = await host.ImportAsync(Exports.Export(Org(
            Key("380000000000000001", Bytes(_rsa.ExportSubjectPublicKeyInfoPem()), expiration: "2519-04-01T08:45:00.123456789Z"),
            Key("380000000000000002", Bytes(_ec.ExportSubjectPublicKeyInfoPem()), type: null, expiration: null))));

        Assert.True(report.Succeeded, string.Join("; ", report.Errors.Select(e => $"{e.Path} {e.Reason}")));
        Assert.Equal(2, report.Counts["machine-keys"].Created);
        var bot = report.Clients.Single(c => c.ZitadelId == Bot);
        Assert.Null(bot.ClientSecret);
        Assert.Equal("private_key_jwt", bot.TokenEndpointAuthMethod);
        Assert.Equal("client_secret_basic", report.Clients.Single(c => c.ZitadelId == "370000000000000002").TokenEndpointAuthMethod);

        var stream = await host.ReadStreamAsync(Tenant, $"client-{Tenant}-{bot.ClientId}");
        var registered = Assert.IsType<ClientRegistered>(Assert.Single(stream).Event);
        Assert.Equal(("private_key_jwt", null), (registered.TokenEndpointAuthMethod, registered.SecretHash));
        Assert.Equal(["client_credentials"], registered.GrantTypes);
        Assert.Equal($"zitadel:machine-user:{Bot}", stream[0].Stored.Metadata.CausationId);

        var keys = JsonDocument.Parse(registered.Jwks!).RootElement.GetProperty("keys");
        var rsa = keys[0];
        var p = _rsa.ExportParameters(false);
        Assert.Equal(("RSA", "RS256", "380000000000000001", "sig"), (rsa.GetProperty("kty").GetString(), rsa.GetProperty("alg").GetString(), rsa.GetProperty("kid").GetString(), rsa.GetProperty("use").GetString()));
        Assert.Equal((Base64Url.EncodeToString(p.Modulus), Base64Url.EncodeToString(p.Exponent)), (rsa.GetProperty("n").GetString(), rsa.GetProperty("e").GetString()));
        Assert.Equal(new DateTimeOffset(2519, 4, 1, 8, 45, 0, TimeSpan.Zero).ToUnixTimeSeconds(), rsa.GetProperty("exp").GetInt64());

        var ec = keys[1];
        var q = _ec.ExportParameters(false).Q;
        Assert.Equal(("EC", "ES256", "P-256", "380000000000000002"), (ec.GetProperty("kty").GetString(), ec.GetProperty("alg").GetString(), ec.GetProperty("crv").GetString(), ec.GetProperty("kid").GetString()));
        Assert.Equal((Base64Url.EncodeToString(q.X), Base64Url.EncodeToString(q.Y)), (ec.GetProperty("x").GetString(), ec.GetProperty("y").GetString()));
        Assert.False(ec.TryGetProperty("exp", out _));
        Assert.DoesNotContain(report.Skipped, s => s.Kind == "machine-keys");
    }

    [Fact]
    public async Task keys_koder_id_cannot_verify_with_or_that_expired_are_skipped_with_the_reason_and_the_user_keeps_a_secret()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var small = RSA.Create(1024);
        await using var host = new ImportHost();

        var report = await host.ImportAsync(Exports.Export(Org(
            Key("380000000000000011", Bytes(p384.ExportSubjectPublicKeyInfoPem())),
            Key("380000000000000012", Bytes(small.ExportSubjectPublicKeyInfoPem())),
            Key("380000000000000013", Bytes(_rsa.ExportSubjectPublicKeyInfoPem()), expiration: "2020-01-01T00:00:00Z"))));

        Assert.True(report.Succeeded, string.Join("; ", report.Errors.Select(e => $"{e.Path} {e.Reason}")));
        var skipped = report.Skipped.Where(s => s.Kind == "machine-keys").ToDictionary(s => s.Id!, s => (s.Path, s.Reason));
        Assert.Equal("$.orgs[0].machineKeys[0]", skipped["380000000000000011"].Path);
        Assert.Contains("P-256", skipped["380000000000000011"].Reason, StringComparison.Ordinal);
        Assert.Contains("1024 bits", skipped["380000000000000012"].Reason, StringComparison.Ordinal);
        Assert.Equal("expired at 2020-01-01T00:00:00Z", skipped["380000000000000013"].Reason);
        Assert.Equal(3, report.Counts["machine-keys"].Skipped);
        Assert.Equal(0, report.Counts["machine-keys"].Created);

        // No usable key: the client authenticates with a secret, shown once.
        var bot = report.Clients.Single(c => c.ZitadelId == Bot);
        Assert.Equal("client_secret_basic", bot.TokenEndpointAuthMethod);
        Assert.NotNull(bot.ClientSecret);
    }

    [Theory]
    [InlineData("not-base64", "$.orgs[0].machineKeys[0].publicKey", ImportCodes.InvalidKey, "is not base64")]
    [InlineData("not-pem", "$.orgs[0].machineKeys[0].publicKey", ImportCodes.InvalidKey, "is not a PEM public key")]
    [InlineData("private-key", "$.orgs[0].machineKeys[0].publicKey", ImportCodes.InvalidKey, "holds a private key")]
    [InlineData("certificate-label", "$.orgs[0].machineKeys[0].publicKey", ImportCodes.InvalidKey, "not a PUBLIC KEY")]
    [InlineData("garbage-der", "$.orgs[0].machineKeys[0].publicKey", ImportCodes.InvalidKey, "does not hold a valid public key")]
    [InlineData("human-user", "$.orgs[0].machineKeys[0].userId", ImportCodes.UnknownUser, "is not the id of a machine user")]
    [InlineData("unknown-user", "$.orgs[0].machineKeys[0].userId", ImportCodes.UnknownUser, "is not the id of a machine user")]
    [InlineData("duplicate-id", "$.orgs[0].machineKeys[1].keyId", ImportCodes.Duplicate, "$.orgs[0].machineKeys[0]")]
    [InlineData("bad-date", "$.orgs[0].machineKeys[0].expirationDate", ImportCodes.InvalidExport, "RFC 3339")]
    [InlineData("bad-type", "$.orgs[0].machineKeys[0].type", ImportCodes.InvalidExport, "must be one of")]
    [InlineData("no-public-key", "$.orgs[0].machineKeys[0].publicKey", ImportCodes.InvalidExport, "is required")]
    public async Task a_malformed_machine_key_fails_its_org_with_the_json_path_and_nothing_is_written(string what, string path, string code, string reason)
    {
        var pem = _rsa.ExportSubjectPublicKeyInfoPem();
        var privatePem = _rsa.ExportPkcs8PrivateKeyPem();
        var key = what switch
        {
            "not-base64" => Key("380000000000000021", "***"),
            "not-pem" => Key("380000000000000021", Bytes("hello, not a key")),
            "private-key" => Key("380000000000000021", Bytes(privatePem)),
            "certificate-label" => Key("380000000000000021", Bytes(pem.Replace("PUBLIC KEY", "CERTIFICATE", StringComparison.Ordinal))),
            "garbage-der" => Key("380000000000000021", Bytes(PemEncoding.WriteString("PUBLIC KEY", [0x30, 0x03, 0x02, 0x01, 0x00]))),
            "human-user" => Key("380000000000000021", Bytes(pem), userId: "270000000000000001"),
            "unknown-user" => Key("380000000000000021", Bytes(pem), userId: "999999999999999999"),
            "bad-date" => Key("380000000000000021", Bytes(pem), expiration: "next tuesday"),
            "bad-type" => Key("380000000000000021", Bytes(pem), type: "KEY_TYPE_PKCS12"),
            _ => Key("380000000000000021", Bytes(pem)),
        };
        if (what == "no-public-key")
        {
            key.Remove("publicKey");
        }

        JsonObject[] keys = what == "duplicate-id" ? [key, Key("380000000000000021", Bytes(_ec.ExportSubjectPublicKeyInfoPem()))] : [key];
        await using var host = new ImportHost();

        var report = await host.ImportAsync(Exports.Export(Org(keys), Exports.Globex()));

        var error = Assert.Single(report.Errors);
        Assert.Equal((path, code), (error.Path, error.Code));
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.Equal(["failed", "imported"], report.Orgs.Select(o => o.Status));
        await foreach (var stored in host.Store.ReadAllAsync(0))
        {
            Assert.NotEqual(Tenant, stored.TenantId);
        }

        var json = JsonSerializer.Serialize(report);
        Assert.DoesNotContain(Bytes(privatePem), json, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY-----", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task past_ten_usable_keys_the_ten_that_expire_last_are_imported()
    {
        var keys = new List<JsonObject>();
        var algorithms = new List<ECDsa>();
        for (var i = 0; i < 12; i++)
        {
            var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            algorithms.Add(ec);
            keys.Add(Key($"3800000000000001{i:D2}", Bytes(ec.ExportSubjectPublicKeyInfoPem()), expiration: $"{2100 + i}-01-01T00:00:00Z"));
        }

        await using var host = new ImportHost();
        var report = await host.ImportAsync(Exports.Export(Org([.. keys])));
        algorithms.ForEach(a => a.Dispose());

        Assert.Equal(10, report.Counts["machine-keys"].Created);
        Assert.Equal(["380000000000000100", "380000000000000101"], report.Skipped.Where(s => s.Kind == "machine-keys").Select(s => s.Id!).Order());
        var bot = report.Clients.Single(c => c.ZitadelId == Bot);
        var registered = (await host.ReadStreamAsync(Tenant, $"client-{Tenant}-{bot.ClientId}")).Select(e => e.Event).OfType<ClientRegistered>().Single();
        Assert.Equal(10, JsonDocument.Parse(registered.Jwks!).RootElement.GetProperty("keys").GetArrayLength());
    }

    [Fact]
    public async Task a_second_run_creates_nothing_and_counts_the_keys_as_existing()
    {
        await using var host = new ImportHost();
        var json = Exports.Export(Org(Key("380000000000000031", Bytes(_rsa.ExportSubjectPublicKeyInfoPem()))));
        var first = await host.ImportAsync(json);
        var head = await host.HeadAsync();

        var second = await host.ImportAsync(json);

        Assert.True(second.Succeeded, string.Join("; ", second.Errors.Select(e => $"{e.Path} {e.Reason}")));
        Assert.Equal(head, await host.HeadAsync());
        Assert.Equal((1, 0), (first.Counts["machine-keys"].Created, first.Counts["machine-keys"].Existing));
        Assert.Equal((0, 1), (second.Counts["machine-keys"].Created, second.Counts["machine-keys"].Existing));
        Assert.All(second.Clients, c => Assert.Null(c.ClientSecret));
    }

    [Fact]
    public async Task a_dry_run_counts_the_keys_it_would_import_and_writes_nothing()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        await using var host = new ImportHost();
        var json = Exports.Export(Org(
            Key("380000000000000041", Bytes(_rsa.ExportSubjectPublicKeyInfoPem())),
            Key("380000000000000042", Bytes(_ec.ExportSubjectPublicKeyInfoPem()), userId: "370000000000000002"),
            Key("380000000000000043", Bytes(p384.ExportSubjectPublicKeyInfoPem()))));

        var dry = await host.ImportAsync(json, dryRun: true);

        Assert.Equal(0, await host.HeadAsync());
        Assert.Equal((2, 1), (dry.Counts["machine-keys"].Created, dry.Counts["machine-keys"].Skipped));
        Assert.All(dry.Clients.Where(c => c.Source == "machine-user"), c => Assert.Equal("private_key_jwt", c.TokenEndpointAuthMethod));
        var real = await host.ImportAsync(json);
        Assert.Equal((2, 1), (real.Counts["machine-keys"].Created, real.Counts["machine-keys"].Skipped));
        var again = await host.ImportAsync(json, dryRun: true);
        Assert.Equal((0, 2), (again.Counts["machine-keys"].Created, again.Counts["machine-keys"].Existing));
    }

    [Fact]
    public async Task the_snake_case_spelling_and_a_pkcs1_rsa_public_key_import_too()
    {
        await using var host = new ImportHost();
        var org = Org(Key("380000000000000051", Bytes(_rsa.ExportRSAPublicKeyPem()).TrimEnd('=').Replace('+', '-').Replace('/', '_')));
        var json = new JsonObject { ["data_orgs"] = new JsonObject { ["orgs"] = new JsonArray(Exports.SnakeCase(org)) } }.ToJsonString();
        Assert.Contains("\"machine_keys\"", json, StringComparison.Ordinal);

        var report = await host.ImportAsync(json);

        Assert.True(report.Succeeded, string.Join("; ", report.Errors.Select(e => $"{e.Path} {e.Reason}")));
        Assert.Equal(1, report.Counts["machine-keys"].Created);
    }
}
