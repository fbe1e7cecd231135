using KoderId.Application.Common;
using KoderId.Application.Tenants;
using Mediator;

namespace KoderId.Server.Tenancy;

/// <summary>
/// Bootstrap: the <c>default</c> tenant (the bare host) exists before the server takes traffic. Registered
/// after the storage start-up, so the store is open and the projections are built; idempotent.
/// </summary>
internal sealed partial class DefaultTenantStartup(IServiceScopeFactory scopes, ILogger<DefaultTenantStartup> logger) : IHostedService
{
    public const string Actor = "system";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<RequestContext>().Actor = Actor;
        var result = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new EnsureDefaultTenant(), cancellationToken);
        if (result.Changed)
        {
            LogCreated(result.Id);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the {TenantId} tenant")]
    private partial void LogCreated(string tenantId);
}
