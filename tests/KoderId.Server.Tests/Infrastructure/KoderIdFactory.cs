using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Server.Tests.Infrastructure;

/// <summary>The real host in process, on a given storage provider; never on the default ./data file.</summary>
public sealed class KoderIdFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private readonly TempDirectory? _directory;

    private KoderIdFactory(Dictionary<string, string?> settings, Action<IServiceCollection>? services, TempDirectory? directory)
    {
        _settings = settings;
        _services = services;
        _directory = directory;
    }

    public static KoderIdFactory InMemory(Action<IServiceCollection>? services = null) =>
        new(new() { ["KoderId:Storage:Provider"] = "inmemory" }, services, null);

    public static KoderIdFactory Sqlite(Action<IServiceCollection>? services = null)
    {
        var directory = new TempDirectory();
        return new(
            new()
            {
                ["KoderId:Storage:Provider"] = "sqlite",
                ["KoderId:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory.Path, "koderid.db")}",
            },
            services,
            directory);
    }

    public static KoderIdFactory Postgres(string connectionString, Action<IServiceCollection>? services = null) =>
        new(
            new()
            {
                ["KoderId:Storage:Provider"] = "postgres",
                ["KoderId:Storage:ConnectionString"] = connectionString,

                // PostgreSQL requires a key-encryption key for the signing keys; a fixed one for tests.
                ["KoderId:Oidc:KeyEncryptionKey"] = "a29kZXJpZC10ZXN0LWtlay0wMTIzNDU2Nzg5YWJjZGU=",
            },
            services,
            null);

    public string? DataDirectory => _directory?.Path;

    /// <summary>Adds settings (e.g. <c>KoderId:Bootstrap:AdminKey</c>); call before the first client or service is created.</summary>
    public KoderIdFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(_settings));
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_directory is not null)
        {
            KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
            _directory.Dispose();
        }
    }
}
