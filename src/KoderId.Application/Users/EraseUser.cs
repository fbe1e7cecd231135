using KoderId.Application.Common;
using KoderId.Application.Sessions;
using KoderId.Domain.Sessions;
using KoderId.Domain.Users;
using KoderId.EventSourcing.Storage;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>
/// Right to erasure: appends <c>user.erased.v1</c> (releasing username and email), then destroys the
/// user's subject key, so every personal field of the user's events reads as <c>[erased]</c> while the log
/// and its hash chain stay intact. Erasure is honoured in a blocked or deleted tenant too: it is a legal
/// obligation, not a tenant feature. ADR 0008: then every active session of the user is revoked (<c>user-erased</c>),
/// and with it its refresh families; the key goes first, the legal obligation before the housekeeping.
/// </summary>
public sealed record EraseUser(string TenantId, string UserId) : ICommand<CommandResult>;

public sealed class EraseUserHandler(AggregateStore aggregates, ISubjectKeyStore keys, ISender sender) : ICommandHandler<EraseUser, CommandResult>
{
    public async ValueTask<CommandResult> Handle(EraseUser command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, User.Erase, cancellationToken, requireActiveTenant: false)
            .ConfigureAwait(false);

        // Also when nothing was appended: a retry after a crash between the event and the key erasure finishes the job.
        await keys.EraseAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        await sender.Send(new RevokeUserSessions(command.TenantId, command.UserId, SessionRevokeReasons.UserErased), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
