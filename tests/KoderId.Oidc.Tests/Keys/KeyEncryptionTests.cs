using System.Buffers.Text;
using System.Security.Cryptography;
using KoderId.Domain.Keys;
using KoderId.EventSourcing.Storage;
using KoderId.Events;
using KoderId.Oidc.Common;
using KoderId.Oidc.Keys;
using KoderId.Oidc.Tests.Infrastructure;
using KoderId.Server.Configuration;
using KoderId.Server.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace KoderId.Oidc.Tests.Keys;

public sealed class KeyEncryptionTests
{
    private static readonly string Kek = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public async Task private_key_rows_are_ciphertext_that_only_the_configured_kek_opens()
    {
        await using var host = await OidcHost.SqliteAsync(new Dictionary<string, string?> { [KeyEncryptionKeys.Setting] = Kek }, "acme");
        _ = await host.Get<ITokenSigner>().SignAsync("acme", SigningAlgorithms.RS256, "JWT", new Dictionary<string, object?>());
        var jwks = await host.JsonAsync("acme.localhost", OidcPaths.Keys);
        var rsa = jwks.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("alg").GetString() == "RS256");
        var kid = rsa.GetProperty("kid").GetString()!;

        var rows = ReadRows(Path.Combine(host.Factory.DataDirectory!, "koderid.db"));

        Assert.Equal(2, rows.Count);
        var sealedKey = rows[("acme", kid)];
        using (var probe = RSA.Create())
        {
            Assert.ThrowsAny<CryptographicException>(() => probe.ImportPkcs8PrivateKey(sealedKey, out _));
        }

        var wrong = new PrivateKeyProtector(new ConfiguredKeyEncryptionKey(RandomNumberGenerator.GetBytes(32)));
        Assert.Throws<SigningKeyUnavailableException>(() => wrong.Open("acme", kid, sealedKey));
        var right = new PrivateKeyProtector(new ConfiguredKeyEncryptionKey(Convert.FromBase64String(Kek)));
        Assert.Throws<SigningKeyUnavailableException>(() => right.Open("beta", kid, sealedKey));
        using var opened = RSA.Create();
        opened.ImportPkcs8PrivateKey(right.Open("acme", kid, sealedKey), out _);
        Assert.Equal(rsa.GetProperty("n").GetString(), Base64Url.EncodeToString(opened.ExportParameters(false).Modulus));
    }

    [Fact]
    public async Task the_log_carries_only_public_keys()
    {
        await using var host = await OidcHost.InMemoryAsync("acme");
        _ = await host.Get<ITokenSigner>().SignAsync("acme", SigningAlgorithms.RS256, "JWT", new Dictionary<string, object?>());

        var events = await host.Get<IEventStore>().ReadStreamAsync("acme", SigningKeys.StreamId("acme")).ToListAsync();

        Assert.Equal(2, events.Count);
        Assert.All(events, e =>
        {
            Assert.Equal("key.rotated.v1", e.EventType);
            using var data = System.Text.Json.JsonDocument.Parse(e.Data);
            var members = data.RootElement.GetProperty("publicKey").EnumerateObject().Select(p => p.Name).ToArray();
            Assert.Subset(new HashSet<string>(["kty", "crv", "x", "y", "n", "e"]), members.ToHashSet());
        });
    }

    [Fact]
    public async Task without_a_configured_kek_sqlite_generates_one_beside_the_database_readable_by_its_owner_only()
    {
        await using var host = await OidcHost.SqliteAsync(null, "acme");
        _ = await host.Get<ITokenSigner>().SignAsync("acme", SigningAlgorithms.ES256, "JWT", new Dictionary<string, object?>());

        var path = Path.Combine(host.Factory.DataDirectory!, KeyEncryptionKeySetup.FileName);

        Assert.True(File.Exists(path));
        Assert.True(KeyEncryptionKeys.TryParse(await File.ReadAllTextAsync(path), out _));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void a_generated_kek_file_is_reused_by_the_next_start()
    {
        var directory = Directory.CreateTempSubdirectory("koderid-kek-");
        try
        {
            var path = Path.Combine(directory.FullName, KeyEncryptionKeySetup.FileName);
            var first = new GeneratedKeyEncryptionKey(path, NullLogger.Instance).GetKey().ToArray();
            var second = new GeneratedKeyEncryptionKey(path, NullLogger.Instance).GetKey().ToArray();

            Assert.Equal(32, first.Length);
            Assert.Equal(first, second);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task postgres_without_a_kek_stops_start_up_with_one_line_naming_the_setting()
    {
        var problems = await Check(new() { ["KoderId:Storage:Provider"] = "postgres", ["KoderId:Storage:ConnectionString"] = "Host=db.invalid;Database=koderid" });

        Assert.Equal(
            "Configuration error: KoderId:Oidc:KeyEncryptionKey is required for provider postgres (base64 of 32 random bytes, e.g. `openssl rand -base64 32`).",
            Assert.Single(problems));
    }

    [Theory]
    [InlineData("postgres", "not base64 at all!")]
    [InlineData("sqlite", "c2hvcnQta2V5")]
    [InlineData("inmemory", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task a_kek_that_is_not_32_bytes_of_base64_stops_start_up_without_echoing_it(string provider, string kek)
    {
        var problems = await Check(new()
        {
            ["KoderId:Storage:Provider"] = provider,
            ["KoderId:Storage:ConnectionString"] = provider == "postgres" ? "Host=db.invalid;Database=koderid" : "Data Source=never-opened.db",
            [KeyEncryptionKeys.Setting] = kek,
        });

        var line = Assert.Single(problems);
        Assert.StartsWith("Configuration error: KoderId:Oidc:KeyEncryptionKey must be base64 of exactly 32 bytes", line, StringComparison.Ordinal);
        Assert.DoesNotContain(kek, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    [InlineData("inmemory")]
    public async Task a_valid_kek_is_accepted_by_every_provider(string provider)
    {
        Assert.Empty(await Check(new()
        {
            ["KoderId:Storage:Provider"] = provider,
            ["KoderId:Storage:ConnectionString"] = provider == "postgres" ? "Host=db.invalid;Database=koderid" : "Data Source=never-opened.db",
            [KeyEncryptionKeys.Setting] = Kek,
        }));
    }

    [Theory]
    [InlineData("KoderId:Oidc:KeyRotationInterval", "00:00:00", "KoderId:Oidc:KeyRotationInterval")]
    [InlineData("KoderId:Oidc:KeyPropagationDelay", "2.00:00:00", "KoderId:Oidc:KeyPropagationDelay")]
    [InlineData("KoderId:Oidc:ClockSkew", "01:00:00", "ClockSkew")]
    public async Task a_rotation_setting_out_of_range_stops_start_up_with_a_line_naming_it(string setting, string value, string named)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["KoderId:Storage:Provider"] = "inmemory",
            [setting] = value,
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddKoderIdStorage(configuration).AddKoderIdOidc(configuration).BuildServiceProvider();

        var lines = StartupCheck.Run(services);

        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.StartsWith("Configuration error: ", line, StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public async Task the_start_up_check_creates_no_kek_file()
    {
        var directory = Directory.CreateTempSubdirectory("koderid-kek-");
        try
        {
            Assert.Empty(await Check(new() { ["KoderId:Storage:Provider"] = "sqlite", ["KoderId:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory.FullName, "k.db")}" }));
            Assert.Empty(directory.GetFiles());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<IReadOnlyList<string>> Check(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        await using var services = new ServiceCollection().AddLogging().AddKoderIdStorage(configuration).BuildServiceProvider();
        return StartupCheck.Run(services);
    }

    private static Dictionary<(string Tenant, string Ref), byte[]> ReadRows(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT tenant_id, key_ref, sealed_key FROM signing_key_material";
        using var reader = cmd.ExecuteReader();
        var rows = new Dictionary<(string, string), byte[]>();
        while (reader.Read())
        {
            rows[(reader.GetString(0), reader.GetString(1))] = (byte[])reader.GetValue(2);
        }

        return rows;
    }
}
