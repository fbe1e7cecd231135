using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Users;
using KoderId.EventSourcing.Storage;
using Mediator;

namespace KoderId.Application.Email;

/// <summary>
/// "Forgot password": <paramref name="UserId"/> is the user the caller's username or email names, or null when it
/// names nobody. The caller answers the same either way; this sends a reset link only to an active user with a
/// verified address (an unverified address may not be the user's: a link there would hand the account over).
/// </summary>
public sealed record RequestPasswordReset(string TenantId, string? UserId) : ICommand<bool>;

public sealed class RequestPasswordResetHandler(AggregateStore aggregates, EmailMailer mailer, EmailLinks links, ITransientStore transient, IClock clock)
    : ICommandHandler<RequestPasswordReset, bool>
{
    public const string ThrottleKind = "password-reset-sent";

    /// <summary>One link per user and password per minute: the anonymous endpoint must not become a way to flood an inbox.</summary>
    public static readonly TimeSpan ResendInterval = TimeSpan.FromMinutes(1);

    public async ValueTask<bool> Handle(RequestPasswordReset command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireActiveTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        // An unknown name reads a stream and the throttle too, and seals a token, so the work (and so the time)
        // is about the same as for a real user.
        var id = command.UserId is { } named && User.IsValidUserId(named) ? named : "decoy-" + Guid.NewGuid().ToString("N");
        var user = (await aggregates.LoadAsync(Aggregates.User, command.TenantId, StreamNames.User(command.TenantId, id), cancellationToken).ConfigureAwait(false)).State;
        if (!User.CanSignIn(user) || !user.EmailVerified || string.IsNullOrEmpty(user.Email))
        {
            _ = await transient.GetAsync(command.TenantId, ThrottleKind, id, cancellationToken).ConfigureAwait(false);
            _ = links.Decoy(EmailLinks.ResetKind);
            return false;
        }

        var throttleKey = user.UserId + ":" + EmailLinks.PasswordFingerprint(user.Password?.Phc);
        if (!await transient.TryAddAsync(command.TenantId, ThrottleKind, throttleKey, [], clock.UtcNow.Add(ResendInterval), cancellationToken).ConfigureAwait(false))
        {
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
