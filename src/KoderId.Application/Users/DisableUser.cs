using KoderId.Application.Common;
using KoderId.Application.Sessions;
using KoderId.Domain.Sessions;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>No more sign-in; disabling a disabled user changes nothing.</summary>
public sealed record DisableUser(string TenantId, string UserId, string? Reason = null) : ICommand<CommandResult>;

/// <summary>
/// ADR 0008: after <c>user.disabled.v1</c>, every active session of the user is revoked (<c>user-disabled</c>), and
/// with it its refresh families. Also when nothing was appended: a retry after a crash between the two finishes the job.
/// </summary>
public sealed class DisableUserHandler(AggregateStore aggregates, ISender sender) : ICommandHandler<DisableUser, CommandResult>
{
    public async ValueTask<CommandResult> Handle(DisableUser command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s => User.Disable(s, command.Reason), cancellationToken).ConfigureAwait(false);
        await sender.Send(new RevokeUserSessions(command.TenantId, command.UserId, SessionRevokeReasons.UserDisabled), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
