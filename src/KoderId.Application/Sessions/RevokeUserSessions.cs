using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Sessions;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Sessions;

/// <summary>"Sign out everywhere": every active session of the user.</summary>
public sealed record RevokeUserSessions(string TenantId, string UserId, string Reason) : ICommand<RevokedSessions>;

public sealed record RevokedSessions(string UserId, IReadOnlyList<string> SessionIds);

/// <summary>
/// The user must exist in the tenant (KID1011 otherwise, also for another tenant's user). Each session is its
/// own stream, so each revocation is its own append: a session started meanwhile is not covered, and a
/// session revoked meanwhile appends nothing.
/// </summary>
public sealed class RevokeUserSessionsHandler(AggregateStore aggregates, IActiveSessions sessions, IClock clock)
    : ICommandHandler<RevokeUserSessions, RevokedSessions>
{
    public async ValueTask<RevokedSessions> Handle(RevokeUserSessions command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.LoadTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        if (!User.IsValidUserId(command.UserId))
        {
            throw new DomainException(DomainErrors.UserNotFound, "The user does not exist.");
        }

        var user = (await aggregates.LoadAsync(Aggregates.User, command.TenantId, StreamNames.User(command.TenantId, command.UserId), cancellationToken).ConfigureAwait(false)).State;
        if (!user.Exists)
        {
            throw new DomainException(DomainErrors.UserNotFound, "The user does not exist.");
        }

        if (!SessionRevokeReasons.IsKnown(command.Reason))
        {
            throw new DomainException(DomainErrors.SessionInvalidReason, $"The reason is one of: {string.Join(", ", SessionRevokeReasons.All)}.");
        }

        var ids = await sessions.ListActiveSessionIdsAsync(command.TenantId, command.UserId, clock.UtcNow, cancellationToken).ConfigureAwait(false);
        var revoked = new List<string>(ids.Count);
        foreach (var id in ids)
        {
            var decided = await Sessions.RevokeAsync(aggregates, command.TenantId, id, command.Reason, command.UserId, cancellationToken).ConfigureAwait(false);
            if (decided.Changed)
            {
                revoked.Add(id);
            }
        }

        return new RevokedSessions(command.UserId, revoked);
    }
}
