using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Mfa;
using Mediator;

namespace KoderId.Application.Mfa;

/// <summary>
/// Enrolment during sign-in (the <c>totp-enrolment</c> flow step, ADR 0006): a secret the flow held and the first code
/// of it enrol the TOTP in one append (<c>mfa.totp-enrolment-started.v1</c> then <c>mfa.totp-enrolled.v1</c>, the events
/// of the account page's start and confirm), with ten recovery codes when the user has no unused ones.
/// </summary>
public sealed record EnrolTotp(string TenantId, string UserId, string Secret, string Code) : ICommand<EnrolledTotp>
{
    public override string ToString() => $"EnrolTotp {{ TenantId = {TenantId}, UserId = {UserId}, Secret = [redacted], Code = [redacted] }}";
}

/// <param name="RecoveryCodes">The new recovery codes, shown this once; null when the user kept unused ones.</param>
public sealed record EnrolledTotp(RecoveryCodeSet? RecoveryCodes, long Version)
{
    public override string ToString() => $"EnrolledTotp {{ RecoveryCodes = {RecoveryCodes}, Version = {Version} }}";
}

/// <summary>
/// Order: KID1326 a malformed code (before anything is read); KID1011/KID1016 a user who cannot sign in; KID1324 a code
/// that does not match the secret within ±1 step; KID1321 a TOTP enrolled meanwhile (another tab, the account page).
/// The matched step is spent by the enrolment, so the same code cannot then sign in.
/// </summary>
public sealed class EnrolTotpHandler(AggregateStore aggregates, IClock clock) : ICommandHandler<EnrolTotp, EnrolledTotp>
{
    public async ValueTask<EnrolledTotp> Handle(EnrolTotp command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var code = TotpCodes.Normalize(command.Code);
        await aggregates.RequireActiveUserAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        var step = TotpCodes.Match(command.Secret, code, clock.UtcNow)
            ?? throw new DomainException(DomainErrors.TotpInvalidCode, "The code does not match; check the app's clock and try the current code.");
        var mfa = await aggregates.LoadMfaAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        var (codes, hashes) = mfa.RecoveryCodesRemaining == 0 ? RecoveryCodes.NewSet() : (null, null);
        var decided = await aggregates.DecideMfaAsync(
            command.TenantId, command.UserId, s => UserMfa.EnrolConfirmedTotp(s, command.UserId, command.Secret, step, hashes), cancellationToken).ConfigureAwait(false);
        return new EnrolledTotp(codes is null ? null : new RecoveryCodeSet(codes, decided.Version), decided.Version);
    }
}
