using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Mfa;
using KoderId.EventSourcing.Storage;
using Mediator;

namespace KoderId.Application.Mfa;

/// <summary>A sign-in's recovery code (the <c>recovery-code</c> factor): a success spends it (<c>mfa.recovery-code-used.v1</c>).</summary>
public sealed record UseRecoveryCode(string TenantId, string UserId, string Code) : ICommand<bool>
{
    public override string ToString() => $"UseRecoveryCode {{ TenantId = {TenantId}, UserId = {UserId}, Code = [redacted] }}";
}

/// <remarks>
/// A malformed code is KID1327; every other failure (unknown user, wrong code, a spent one, the loser of a race
/// for the same code) is one <c>false</c>. The index is found again on the state the append is decided on, so of
/// two concurrent uses exactly one appends.
/// </remarks>
public sealed class UseRecoveryCodeHandler(AggregateStore aggregates) : ICommandHandler<UseRecoveryCode, bool>
{
    public async ValueTask<bool> Handle(UseRecoveryCode command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var hash = RecoveryCodes.Hash(RecoveryCodes.Normalize(command.Code));
        try
        {
            await aggregates.RequireActiveUserAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
            await aggregates.DecideMfaAsync(
                command.TenantId,
                command.UserId,
                s => UserMfa.UseRecoveryCode(s, command.UserId, RecoveryCodes.IndexOf(s, hash)),
                cancellationToken).ConfigureAwait(false);
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
