using KoderId.Application.Common;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Migration.Zitadel.Import;

/// <summary>
/// Sends one command in a scope of its own whose <see cref="RequestContext"/> carries the importing actor and,
/// as the causation id, the Zitadel entity it comes from: every event the command appends records its origin
/// (ADR 0007), and commands can run concurrently without sharing a context.
/// </summary>
internal sealed class ImportSender(IServiceScopeFactory scopes, ImportActor actor)
{
    public async ValueTask<TResponse> SendAsync<TResponse>(ICommand<TResponse> command, string origin, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<RequestContext>();
        context.Actor = actor.Actor;
        context.ClientIp = actor.ClientIp;
        context.UserAgent = actor.UserAgent;
        context.CorrelationId = actor.CorrelationId ?? context.CorrelationId;
        context.CausationId = origin;
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(command, ct).ConfigureAwait(false);
    }

    public T? Optional<T>() where T : class
    {
        using var scope = scopes.CreateScope();
        return scope.ServiceProvider.GetService<T>();
    }

    public async ValueTask<TResult> WithServiceAsync<TService, TResult>(string origin, Func<TService, ValueTask<TResult>> use)
        where TService : notnull
    {
        await using var scope = scopes.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<RequestContext>();
        context.Actor = actor.Actor;
        context.ClientIp = actor.ClientIp;
        context.UserAgent = actor.UserAgent;
        context.CorrelationId = actor.CorrelationId ?? context.CorrelationId;
        context.CausationId = origin;
        return await use(scope.ServiceProvider.GetRequiredService<TService>()).ConfigureAwait(false);
    }
}
