using KoderId.Application.Common;
using KoderId.Domain.Mfa;
using Mediator;

namespace KoderId.Application.Mfa;

/// <summary>The user begins enrolling an authenticator app (<c>mfa.totp-enrolment-started.v1</c>); restarting replaces a pending secret.</summary>
public sealed record StartTotpEnrolment(string TenantId, string UserId) : ICommand<TotpEnrolment>;

/// <summary>
/// What the user's app needs: the base32 secret (for typing in) and the <c>otpauth://</c> URI (for the QR code).
/// Shown to the user only; <see cref="ToString"/> keeps both out of any log line.
/// </summary>
public sealed record TotpEnrolment(string Secret, string OtpAuthUri)
{
    public override string ToString() => "TotpEnrolment { Secret = [redacted], OtpAuthUri = [redacted] }";
}

/// <summary>KID1321 when a TOTP is enrolled (remove it first); the issuer in the URI is the tenant's name, the account the username.</summary>
public sealed class StartTotpEnrolmentHandler(AggregateStore aggregates) : ICommandHandler<StartTotpEnrolment, TotpEnrolment>
{
    public async ValueTask<TotpEnrolment> Handle(StartTotpEnrolment command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var tenant = await aggregates.RequireActiveTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        var user = await aggregates.RequireActiveUserAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        var secret = TotpCodes.NewSecret();
        await aggregates.DecideMfaAsync(command.TenantId, command.UserId, s => UserMfa.StartTotpEnrolment(s, command.UserId, secret), cancellationToken)
            .ConfigureAwait(false);
        return new TotpEnrolment(secret, TotpCodes.OtpAuthUri(tenant.Name, user.Username, secret));
    }
}
