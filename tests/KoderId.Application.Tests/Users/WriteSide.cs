using KoderId.Application.Common;
using KoderId.Application.Tenants;
using KoderId.Domain;
using KoderId.Events;
using KoderId.Events.Tenants;
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

        // The flow engine's ports (ADR 0006), so the container validates: transient state in memory, every tenant at the defaults.
        services.TryAddSingleton<ITransientStore>(new InMemoryTransientStore());
        services.TryAddSingleton<ITenantSettingsProvider>(new DefaultTenantSettings());
        services.TryAddSingleton<Application.Flows.IFlowUsers>(new NoFlowUsers());
        services.TryAddSingleton<Application.Email.IEmailLinkProtector>(new Email.HmacLinkProtector());
        services.TryAddSingleton<Application.Email.IEmailOrigins>(new Email.FixedEmailOrigins());
        Application.Email.EmailServiceCollectionExtensions.AddKoderIdEmailCore(services);
        services.AddKoderIdApplication();
        services.AddMediator(o => o.ServiceLifetime = ServiceLifetime.Scoped);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public IServiceProvider Services => _services;

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

    public async Task<T> QueryAsync<T>(IQuery<T> query)
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(query);
    }

    /// <summary>Runs <paramref name="act"/> with a service resolved in its own request scope (a port such as a factor, not a command).</summary>
    public async Task<TResult> WithScopeAsync<TService, TResult>(Func<TService, Task<TResult>> act, string actor = "admin@test")
        where TService : notnull
    {
        ArgumentNullException.ThrowIfNull(act);
        await using var scope = _services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<RequestContext>().Actor = actor;
        return await act(scope.ServiceProvider.GetRequiredService<TService>());
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

    private sealed class DefaultTenantSettings : ITenantSettingsProvider
    {
        public ValueTask<TenantSettings> GetAsync(string tenantId, CancellationToken ct = default) => ValueTask.FromResult(TenantSettings.Default);
    }

    /// <summary>No read model here: a flow started on the write side alone finds nobody (a decoy flow).</summary>
    private sealed class NoFlowUsers : Application.Flows.IFlowUsers
    {
        public ValueTask<string?> FindActiveUserIdAsync(string tenantId, string usernameOrEmail, CancellationToken ct) => ValueTask.FromResult<string?>(null);
    }
}

