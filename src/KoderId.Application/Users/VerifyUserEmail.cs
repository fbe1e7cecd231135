using KoderId.Application.Common;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>Marks the address a verification was sent to as verified; KID1018 when the address changed since.</summary>
public sealed record VerifyUserEmail(string TenantId, string UserId, string Email) : ICommand<CommandResult>;

public sealed class VerifyUserEmailHandler(AggregateStore aggregates) : ICommandHandler<VerifyUserEmail, CommandResult>
{
    public async ValueTask<CommandResult> Handle(VerifyUserEmail command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s => User.VerifyEmail(s, command.Email), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
