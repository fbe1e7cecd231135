using KoderId.Application.Common;
using KoderId.Domain.Mfa;
using Mediator;

namespace KoderId.Application.Mfa;

/// <summary>Ten new single-use recovery codes replace the user's current set, spent or not (<c>mfa.recovery-codes-generated.v1</c>).</summary>
public sealed record GenerateRecoveryCodes(string TenantId, string UserId) : ICommand<RecoveryCodeSet>;

/// <summary>The codes, shown this once: only their hashes are stored. <see cref="ToString"/> keeps them out of logs.</summary>
public sealed record RecoveryCodeSet(IReadOnlyList<string> Codes, long Version)
{
    public override string ToString() => $"RecoveryCodeSet {{ Codes = [{Codes.Count} redacted], Version = {Version} }}";
}

public sealed class GenerateRecoveryCodesHandler(AggregateStore aggregates) : ICommandHandler<GenerateRecoveryCodes, RecoveryCodeSet>
{
    public async ValueTask<RecoveryCodeSet> Handle(GenerateRecoveryCodes command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireActiveUserAsync(command.TenantId, command.UserId, cancellationToken).ConfigureAwait(false);
        var (codes, hashes) = RecoveryCodes.NewSet();
        var decided = await aggregates.DecideMfaAsync(command.TenantId, command.UserId, s => UserMfa.GenerateRecoveryCodes(s, command.UserId, hashes), cancellationToken)
            .ConfigureAwait(false);
        return new RecoveryCodeSet(codes, decided.Version);
    }
}
