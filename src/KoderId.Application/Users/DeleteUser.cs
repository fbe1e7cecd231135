using KoderId.Application.Common;
using KoderId.Application.Sessions;
using KoderId.Domain.Sessions;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>Soft delete: the username and email are released; <see cref="RestoreUser"/> undoes it while they are still free.</summary>
public sealed record DeleteUser(string TenantId, string UserId) : ICommand<CommandResult>;

/// <summary>
/// ADR 0008: after <c>user.deleted.v1</c>, every active session of the user is revoked (<c>user-deleted</c>), and
/// with it its refresh families. Also when nothing was appended: a retry after a crash between the two finishes the job.
/// </summary>
public sealed class DeleteUserHandler(AggregateStore aggregates, ISender sender) : ICommandHandler<DeleteUser, CommandResult>
{
    public async ValueTask<CommandResult> Handle(DeleteUser command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s => User.Delete(s), cancellationToken).ConfigureAwait(false);
        await sender.Send(new RevokeUserSessions(command.TenantId, command.UserId, SessionRevokeReasons.UserDeleted), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
