using KoderId.Application.Common;
using KoderId.Application.Tenants;
using KoderId.Events;
using KoderId.EventSourcing.InMemory;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;
using KoderId.Migration.Zitadel.Import;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Migration.Zitadel.Tests;

/// <summary>The write side as a host wires it (real catalogue, serializer and generated Mediator) with the importer on top.</summary>
public sealed class ImportHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public ImportHost(Action<IServiceCollection>? configure = null, IEventStore? store = null, ISubjectKeyStore? keys = null)
    {
        var memory = new InMemoryEventStore();
        Store = store ?? memory;
        var subjectKeys = keys ?? memory;
        Serializer = new EventSerializer(EventCatalog.CreateRegistry(), subjectKeys);
        var services = new ServiceCollection();
        services.AddSingleton(Store);
        services.AddSingleton(subjectKeys);
        services.AddSingleton(Serializer);
        services.AddSingleton(new TenantDomainSettings("id.example.com"));
        configure?.Invoke(services);
        services.AddKoderIdApplication();
        services.AddMediator(o => o.ServiceLifetime = ServiceLifetime.Scoped);
        services.AddSingleton<ZitadelImporter>();
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    public IEventStore Store { get; }

    public EventSerializer Serializer { get; }

    public ZitadelImporter Importer => _services.GetRequiredService<ZitadelImporter>();

    public Task<ImportReport> ImportAsync(string json, bool dryRun = false) =>
        Importer.ImportAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)), new ImportActor("system-admin", "203.0.113.9", "tests/1.0"),
            new ZitadelImportOptions(dryRun), CancellationToken.None);

    public async Task<T> SendAsync<T>(ICommand<T> command)
    {
        await using var scope = _services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<RequestContext>().Actor = "tests";
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(command);
    }

    public async Task<IReadOnlyList<(StoredEvent Stored, object Event)>> ReadStreamAsync(string tenantId, string streamId)
    {
        var events = new List<(StoredEvent, object)>();
        await foreach (var stored in Store.ReadStreamAsync(tenantId, streamId))
        {
            events.Add((stored, (await Serializer.DeserializeAsync(stored)).Event));
        }

        return events;
    }

    public async Task<long> HeadAsync() => (await Store.ReadHeadAsync()).Position;

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (Store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }
}
