using KoderId.Application.Common;
using KoderId.Application.Users;
using KoderId.Domain;
using KoderId.Domain.Users;
using KoderId.EventSourcing.Storage;
using Mediator;

namespace KoderId.Application.Email;

/// <summary>Sends (again) the verification link to the user's pending address: <c>POST .../email/verification</c>.</summary>
public sealed record SendEmailVerification(string TenantId, string UserId) : ICommand<EmailSendResult>;

public enum EmailSendResult
{
    Queued,

    /// <summary>One was sent to this user less than <see cref="SendEmailVerificationHandler.ResendInterval"/> ago.</summary>
    Throttled,
}

/// <summary>KID1022 without an address, KID1373 when it is already verified, KID1016 for a disabled user.</summary>
public sealed class SendEmailVerificationHandler(AggregateStore aggregates, EmailMailer mailer, ITransientStore transient, IClock clock)
    : ICommandHandler<SendEmailVerification, EmailSendResult>
{
    public const string ThrottleKind = "email-resend";
    public static readonly TimeSpan ResendInterval = TimeSpan.FromMinutes(1);

    public async ValueTask<EmailSendResult> Handle(SendEmailVerification command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var user = await aggregates.LoadUserAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        User.EnsureLive(user);
        if (user.Disabled)
        {
            throw new DomainException(DomainErrors.UserDisabled, "The user is disabled.");
        }

        if (string.IsNullOrEmpty(user.Email))
        {
            throw new DomainException(DomainErrors.UserNoEmail, "The user has no email address to verify.");
        }

        if (user.EmailVerified)
        {
            throw new DomainException(DomainErrors.EmailAlreadyVerified, "The email address is already verified.");
        }

        // A resend button must not become a mail cannon aimed at someone's inbox.
        if (!await transient.TryAddAsync(command.TenantId, ThrottleKind, user.UserId, [], clock.UtcNow.Add(ResendInterval), cancellationToken).ConfigureAwait(false))
        {
            return EmailSendResult.Throttled;
        }

        await mailer.SendVerificationAsync(command.TenantId, user.UserId, user.Email, cancellationToken).ConfigureAwait(false);
        return EmailSendResult.Queued;
    }
}
