using KoderId.Application.Common;
using KoderId.Application.Tenants;
using KoderId.Domain;
using KoderId.Events;
using KoderId.EventSourcing.InMemory;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KoderId.Application.Tests.Users;

/// <summary>
/// The write side as a host wires it: the real event catalogue and serializer, the in-memory store (also the
/// subject key store) and the generated Mediator. Each <see cref="SendAsync{T}"/> runs in its own DI scope,
/// like one HTTP request, with the request context the test gives it.
/// </summary>
public sealed class WriteSide : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    /// <param name="decorate">Wraps the store the handlers see, e.g. to inject a concurrent writer.</param>
    /// <param name="configure">Registers services before the defaults (which are only added when missing), e.g. a credential policy.</param>
    public WriteSide(Func<IEventStore, IEventStore>? decorate = null, Action<IServiceCollection>? configure = null)
        : this(new InMemoryEventStore(), decorate, configure)
    {
    }

    private WriteSide(InMemoryEventStore store, Func<IEventStore, IEventStore>? decorate, Action<IServiceCollection>? configure)
        : this(store, store, decorate, configure)
    {
    }

    /// <summary>The same write side on another driver (the store is disposed with it when it is disposable).</summary>
    public WriteSide(IEventStore store, ISubjectKeyStore keys, Func<IEventStore, IEventStore>? decorate = null, Action<IServiceCollection>? configure = null)
    {
        Store = store;
        Keys = keys;
        Serializer = new EventSerializer(EventCatalog.CreateRegistry(), keys);
        var services = new ServiceCollection();
        services.AddSingleton(decorate?.Invoke(Store) ?? Store);
        services.AddSingleton(keys);
        services.AddSingleton(Serializer);
        services.AddSingleton(new TenantDomainSettings("id.example.com"));
        configure?.Invoke(services);
        services.TryAddSingleton<Application.Sessions.IActiveSessions>(new LogActiveSessions(Store, Serializer));

        // What the flows and passkeys handlers need from the host (ADR 0006): transient state, tenant settings (the
        // defaults), and a user lookup for flows (none: these tests start no flow through it).
        services.TryAddSingleton<ITransientStore>(new InMemoryTransientStore());
        services.TryAddSingleton<Application.Tenants.ITenantSettingsProvider>(new DefaultTenantSettings());
        services.TryAddScoped<Application.Flows.IFlowUsers, NoFlowUsers>();
        services.AddKoderIdApplication();
        services.AddMediator(o => o.ServiceLifetime = ServiceLifetime.Scoped);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public IEventStore Store { get; }

    public ISubjectKeyStore Keys { get; }

    public EventSerializer Serializer { get; }

    public async Task<T> SendAsync<T>(ICommand<T> command, string actor = "admin@test", string? ip = "203.0.113.7", string? userAgent = "tests/1.0")
    {
        await using var scope = _services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<RequestContext>();
        context.Actor = actor;
        context.ClientIp = ip;
        context.UserAgent = userAgent;
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(command);
    }

    /// <summary>Runs <paramref name="use"/> in a request scope of its own, for services that are not commands (an authentication factor).</summary>
    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> use, string actor = "anonymous")
    {
        ArgumentNullException.ThrowIfNull(use);
        await using var scope = _services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<RequestContext>().Actor = actor;
        return await use(scope.ServiceProvider);
    }

    /// <summary>The <see cref="DomainException"/> code the command fails with.</summary>
    public async Task<string> FailsWithAsync<T>(ICommand<T> command)
    {
        var ex = await Assert.ThrowsAsync<DomainException>(() => SendAsync(command));
        return ex.Code;
    }

    public async Task<IReadOnlyList<DecodedEvent>> ReadStreamAsync(string tenantId, string streamId)
    {
        var events = new List<DecodedEvent>();
        await foreach (var stored in Store.ReadStreamAsync(tenantId, streamId))
        {
            events.Add(await Serializer.DeserializeAsync(stored));
        }

        return events;
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAllAsync()
    {
        var events = new List<StoredEvent>();
        await foreach (var stored in Store.ReadAllAsync(0))
        {
            events.Add(stored);
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (Store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    private sealed class DefaultTenantSettings : Application.Tenants.ITenantSettingsProvider
    {
        public ValueTask<Events.Tenants.TenantSettings> GetAsync(string tenantId, CancellationToken ct = default) => ValueTask.FromResult(Events.Tenants.TenantSettings.Default);
    }

    private sealed class NoFlowUsers : Application.Flows.IFlowUsers
    {
        public ValueTask<string?> FindActiveUserIdAsync(string tenantId, string usernameOrEmail, CancellationToken ct) => ValueTask.FromResult<string?>(null);
    }
}
