using KoderId.Application.Common;
using KoderId.Application.Grants;
using KoderId.Domain;
using KoderId.Domain.Sessions;
using Mediator;

namespace KoderId.Application.Sessions;

/// <param name="UserId">When given (the admin route <c>/v1/users/{id}/sessions/{sid}</c>), a session of another user is not found.</param>
public sealed record RevokeSession(string TenantId, string SessionId, string Reason, string? UserId = null) : ICommand<CommandResult>;

/// <summary>
/// Ends a session. Its refresh families end with it: the token endpoint checks the session stream on every
/// rotation and the <c>refresh_families</c> model marks them revoked from <c>session.revoked.v1</c>, so no
/// event per family is needed. Allowed in a blocked tenant (taking access away must always work); revoking
/// twice appends nothing.
/// </summary>
public sealed class RevokeSessionHandler(AggregateStore aggregates) : ICommandHandler<RevokeSession, CommandResult>
{
    public async ValueTask<CommandResult> Handle(RevokeSession command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.LoadTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        var decided = await Sessions.RevokeAsync(aggregates, command.TenantId, command.SessionId, command.Reason, command.UserId, cancellationToken).ConfigureAwait(false);
        return new CommandResult(command.SessionId, decided.Version, decided.Changed);
    }
}

internal static class Sessions
{
    public static async Task<Decided<SessionState>> RevokeAsync(
        AggregateStore aggregates, string tenantId, string sessionId, string reason, string? userId, CancellationToken ct)
    {
        if (!GrantSecrets.IsId(sessionId))
        {
            throw new DomainException(DomainErrors.SessionNotFound, "The session does not exist.");
        }

        return await aggregates.DecideAsync(
            Aggregates.Session,
            tenantId,
            StreamNames.Session(tenantId, sessionId),
            s => userId is not null && s.Started && !string.Equals(s.UserId, userId, StringComparison.Ordinal)
                ? throw new DomainException(DomainErrors.SessionNotFound, "The session does not exist.")
                : Session.Revoke(s, reason),
            ct).ConfigureAwait(false);
    }
}
