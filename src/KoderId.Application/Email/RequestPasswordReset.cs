using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Email;

/// <summary>
/// "Forgot password": <paramref name="UserId"/> is the user the caller's username or email names, or null when it
/// names nobody. The caller answers the same either way; this sends a reset link only to an active user with a
/// verified address (an unverified address may not be the user's: a link there would hand the account over).
/// </summary>
public sealed record RequestPasswordReset(string TenantId, string? UserId) : ICommand<bool>;

public sealed class RequestPasswordResetHandler(AggregateStore aggregates, EmailMailer mailer, EmailLinks links)
    : ICommandHandler<RequestPasswordReset, bool>
{
    public async ValueTask<bool> Handle(RequestPasswordReset command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireActiveTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        UserState? user = null;
        if (command.UserId is { } id && User.IsValidUserId(id))
        {
            user = (await aggregates.LoadAsync(Aggregates.User, command.TenantId, StreamNames.User(command.TenantId, id), cancellationToken).ConfigureAwait(false)).State;
        }

        if (user is null || !User.CanSignIn(user) || !user.EmailVerified || string.IsNullOrEmpty(user.Email))
        {
            // Seal a token anyway so the work (and so the time) is about the same as for a real user.
            _ = links.Decoy(EmailLinks.ResetKind);
            return false;
        }

        try
        {
            await mailer.SendPasswordResetAsync(command.TenantId, user.UserId, user.Email, user.Password?.Phc, cancellationToken).ConfigureAwait(false);
        }
        catch (DomainException ex) when (ex.Code == DomainErrors.EmailUnavailable)
        {
            // Said nowhere to the caller: the answer must not depend on the account. The host logs the configuration.
            return false;
        }

        return true;
    }
}
