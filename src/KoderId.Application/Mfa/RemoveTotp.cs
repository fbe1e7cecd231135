using KoderId.Application.Common;
using KoderId.Application.Credentials.Commands;
using KoderId.Domain;
using KoderId.Domain.Mfa;
using KoderId.Events.Mfa;
using Mediator;

namespace KoderId.Application.Mfa;

/// <summary>How a removal is authorised (ADR 0006: "disable only after re-authentication").</summary>
public enum TotpRemovalProof
{
    /// <summary>The user proves it now: <see cref="RemoveTotp.CurrentPassword"/> or <see cref="RemoveTotp.CurrentCode"/>.</summary>
    InRequest,

    /// <summary>The hosted page saw a sign-in within the last 5 minutes (its session's auth_time).</summary>
    RecentSignIn,

    /// <summary>An administrator removes it (reason <c>admin</c>): no proof from the user.</summary>
    Administrator,
}

/// <summary>
/// Removes the user's TOTP (<c>mfa.totp-removed.v1</c>). Self-service needs proof: the current password, or a
/// current TOTP code (which is spent with the removal, in the same append), or a recent sign-in on the hosted page.
/// Cancelling an unconfirmed enrolment needs none: that secret never protected anything.
/// </summary>
public sealed record RemoveTotp(
    string TenantId,
    string UserId,
    TotpRemovalProof Proof,
    string? CurrentPassword = null,
    string? CurrentCode = null) : ICommand<CommandResult>
{
    public override string ToString() =>
        $"RemoveTotp {{ TenantId = {TenantId}, UserId = {UserId}, Proof = {Proof}, CurrentPassword = {(CurrentPassword is null ? "null" : "[redacted]")}, CurrentCode = {(CurrentCode is null ? "null" : "[redacted]")} }}";
}

/// <summary>
/// KID1323 when there is nothing to remove; KID1329 when the proof is missing or wrong (one answer for a wrong
/// password, a wrong code and a replayed code); KID1326 for a malformed code.
/// </summary>
public sealed class RemoveTotpHandler(AggregateStore aggregates, IClock clock, ISender sender) : ICommandHandler<RemoveTotp, CommandResult>
{
    public async ValueTask<CommandResult> Handle(RemoveTotp command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var code = command.CurrentCode is null ? null : TotpCodes.Normalize(command.CurrentCode);
        var admin = command.Proof == TotpRemovalProof.Administrator;
        if (admin)
        {
            await aggregates.RequireLiveUserStateAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await aggregates.RequireActiveUserAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        }

        var mfa = await aggregates.LoadMfaAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        var reason = admin ? TotpRemovalReasons.Admin : TotpRemovalReasons.User;
        if (!mfa.TotpEnrolled || command.Proof != TotpRemovalProof.InRequest)
        {
            return (await aggregates.DecideMfaAsync(command.TenantId, command.UserId, s =>
            {
                if (s.TotpEnrolled && command.Proof == TotpRemovalProof.InRequest)
                {
                    throw ProofRequired();
                }

                return UserMfa.RemoveTotp(s, command.UserId, reason);
            }, cancellationToken).ConfigureAwait(false)).ToResult(command.UserId);
        }

        if (code is not null)
        {
            var secret = mfa.Secret!;
            var step = TotpCodes.Match(secret, code, clock.UtcNow);
            if (step is null || step <= mfa.LastTimeStep)
            {
                throw ProofRequired();
            }

            var decided = await aggregates.DecideMfaAsync(command.TenantId, command.UserId, s =>
            {
                if (!string.Equals(s.Secret, secret, StringComparison.Ordinal) || step <= s.LastTimeStep)
                {
                    throw ProofRequired();
                }

                return [.. UserMfa.UseTotpCode(s, command.UserId, step.Value), .. UserMfa.RemoveTotp(s, command.UserId, reason)];
            }, cancellationToken).ConfigureAwait(false);
            return decided.ToResult(command.UserId);
        }

        if (command.CurrentPassword is { Length: > 0 and <= 1024 } password
            && (await sender.Send(new VerifyPassword(command.TenantId, command.UserId, password), cancellationToken).ConfigureAwait(false)).Succeeded)
        {
            return (await aggregates.DecideMfaAsync(command.TenantId, command.UserId, s => UserMfa.RemoveTotp(s, command.UserId, reason), cancellationToken)
                .ConfigureAwait(false)).ToResult(command.UserId);
        }

        throw ProofRequired();
    }

    private static DomainException ProofRequired() =>
        new(DomainErrors.MfaReauthenticationRequired, "Removing the TOTP needs the current password or a current code.");
}
