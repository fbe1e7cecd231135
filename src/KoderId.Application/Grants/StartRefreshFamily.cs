using KoderId.Application.Common;
using Mediator;

namespace KoderId.Application.Grants;

/// <summary>A new refresh-token family for a client on an active session (the session gives user, amr, acr and auth_time).</summary>
/// <param name="Lifetime">Absolute lifetime of the family; 30 days when null.</param>
public sealed record StartRefreshFamily(string TenantId, string SessionId, string ClientId, string Scope, TimeSpan? Lifetime = null) : ICommand<StartedRefreshFamily>;

/// <summary><paramref name="RefreshToken"/> is <c>{familyId}.{secret}</c>: shown this once, never stored or logged.</summary>
public sealed record StartedRefreshFamily(string FamilyId, string RefreshToken, DateTimeOffset ExpiresAt, long Version);

public sealed class StartRefreshFamilyHandler(AggregateStore aggregates, IClock clock) : ICommandHandler<StartRefreshFamily, StartedRefreshFamily>
{
    public async ValueTask<StartedRefreshFamily> Handle(StartRefreshFamily command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireActiveTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        var now = clock.UtcNow;
        var session = await GrantWrites.RequireActiveSessionAsync(aggregates, command.TenantId, command.SessionId, now, cancellationToken).ConfigureAwait(false);
        return await GrantWrites.StartFamilyAsync(aggregates, command.TenantId, GrantSecrets.NewId(), session, command.ClientId, command.Scope, command.Lifetime, now, cancellationToken)
            .ConfigureAwait(false);
    }
}
