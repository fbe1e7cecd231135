using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Mfa;
using KoderId.EventSourcing.Storage;
using Mediator;

namespace KoderId.Application.Mfa;

/// <summary>
/// A sign-in's TOTP check (the <c>totp</c> factor). A command: a success spends the matched time step
/// (<c>mfa.totp-code-used.v1</c>), so the same code, or an older one, fails from then on.
/// </summary>
public sealed record VerifyTotp(string TenantId, string UserId, string Code) : ICommand<bool>
{
    public override string ToString() => $"VerifyTotp {{ TenantId = {TenantId}, UserId = {UserId}, Code = [redacted] }}";
}

/// <remarks>
/// A malformed code is KID1326 (a 4xx, before anything is read). Every other failure is one <c>false</c>: an
/// unknown, disabled or other tenant's user, no TOTP, a wrong code, a replayed one, or the loser of two
/// concurrent uses of one code (the store's version check lets one append; the other decides again, sees the
/// step spent and fails).
/// </remarks>
public sealed class VerifyTotpHandler(AggregateStore aggregates, IClock clock) : ICommandHandler<VerifyTotp, bool>
{
    public async ValueTask<bool> Handle(VerifyTotp command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var code = TotpCodes.Normalize(command.Code);
        try
        {
            await aggregates.RequireActiveUserAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
            var mfa = await aggregates.LoadMfaAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
            if (mfa.Secret is not { } secret || TotpCodes.Match(secret, code, clock.UtcNow) is not { } step || step <= mfa.LastTimeStep)
            {
                return false;
            }

            await aggregates.DecideMfaAsync(command.TenantId, command.UserId, s =>
            {
                if (!string.Equals(s.Secret, secret, StringComparison.Ordinal))
                {
                    throw new DomainException(DomainErrors.TotpNotFound, "The TOTP changed while the code was checked.");
                }

                return UserMfa.UseTotpCode(s, command.UserId, step);
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DomainException)
        {
            return false;
        }
        catch (WrongExpectedVersionException)
        {
            return false;
        }
    }
}
