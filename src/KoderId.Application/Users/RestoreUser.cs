using KoderId.Application.Common;
using KoderId.Application.Sessions;
using KoderId.Domain.Sessions;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>Undoes a soft delete, claiming the username and email again (KID1010 / KID1017 if someone took them meanwhile).</summary>
public sealed record RestoreUser(string TenantId, string UserId) : ICommand<CommandResult>;

/// <summary>
/// ADR 0008: restoring brings no session back. Any session still active while the user is deleted predates the
/// delete: it is revoked (<c>user-deleted</c>) before <c>user.restored.v1</c> is appended, as <see cref="EnableUserHandler"/> does.
/// </summary>
public sealed class RestoreUserHandler(AggregateStore aggregates, ISender sender) : ICommandHandler<RestoreUser, CommandResult>
{
    public async ValueTask<CommandResult> Handle(RestoreUser command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var user = await aggregates.LoadUserAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        if (user.Status == UserStatus.Deleted)
        {
            await sender.Send(new RevokeUserSessions(command.TenantId, command.UserId, SessionRevokeReasons.UserDeleted), cancellationToken).ConfigureAwait(false);
        }

        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s => User.Restore(s), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
