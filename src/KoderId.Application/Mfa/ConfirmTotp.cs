using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Mfa;
using Mediator;

namespace KoderId.Application.Mfa;

/// <summary>A code from the app proves the pending secret (<c>mfa.totp-enrolled.v1</c>); from now on the user has a second factor.</summary>
public sealed record ConfirmTotp(string TenantId, string UserId, string Code) : ICommand<CommandResult>
{
    public override string ToString() => $"ConfirmTotp {{ TenantId = {TenantId}, UserId = {UserId}, Code = [redacted] }}";
}

/// <summary>
/// Order: a malformed code (KID1326) before anything is read; KID1321 already enrolled; KID1322 nothing pending
/// (or the enrolment was restarted while this code was checked); KID1324 a code that does not match ±1 step.
/// The matched step is spent with the confirmation, so the same code cannot then sign in.
/// </summary>
public sealed class ConfirmTotpHandler(AggregateStore aggregates, IClock clock) : ICommandHandler<ConfirmTotp, CommandResult>
{
    public async ValueTask<CommandResult> Handle(ConfirmTotp command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var code = TotpCodes.Normalize(command.Code);
        await aggregates.RequireActiveUserAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        var mfa = await aggregates.LoadMfaAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        if (mfa.TotpEnrolled)
        {
            throw new DomainException(DomainErrors.TotpAlreadyEnrolled, "A TOTP is already enrolled.");
        }

        var pending = mfa.PendingSecret ?? throw new DomainException(DomainErrors.TotpNoPendingEnrolment, "There is no TOTP enrolment to confirm; start one first.");
        var step = TotpCodes.Match(pending, code, clock.UtcNow)
            ?? throw new DomainException(DomainErrors.TotpInvalidCode, "The code does not match; check the app's clock and try the current code.");
        var decided = await aggregates.DecideMfaAsync(command.TenantId, command.UserId, s =>
        {
            if (s.TotpPending && !string.Equals(s.PendingSecret, pending, StringComparison.Ordinal))
            {
                throw new DomainException(DomainErrors.TotpNoPendingEnrolment, "The enrolment was restarted; confirm with a code of the new secret.");
            }

            return UserMfa.ConfirmTotp(s, command.UserId, step);
        }, cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
