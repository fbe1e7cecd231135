using KoderId.Application.Common;
using KoderId.Application.Sessions;
using KoderId.Domain.Sessions;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>Sign-in again; enabling an enabled user changes nothing.</summary>
public sealed record EnableUser(string TenantId, string UserId) : ICommand<CommandResult>;

/// <summary>
/// ADR 0008: enabling brings no session back. Any session still active while the user is disabled predates the
/// disable (a crash cut its revocation short, or it started in a race with it): it is revoked (<c>user-disabled</c>)
/// before <c>user.enabled.v1</c> is appended, so there is no instant at which the user is enabled and such a
/// session counts. A disabled user cannot start a session, so nothing new slips in between.
/// </summary>
public sealed class EnableUserHandler(AggregateStore aggregates, ISender sender) : ICommandHandler<EnableUser, CommandResult>
{
    public async ValueTask<CommandResult> Handle(EnableUser command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var user = await aggregates.LoadUserAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        if (user.Status == UserStatus.Disabled)
        {
            await sender.Send(new RevokeUserSessions(command.TenantId, command.UserId, SessionRevokeReasons.UserDisabled), cancellationToken).ConfigureAwait(false);
        }

        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s => User.Enable(s), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
