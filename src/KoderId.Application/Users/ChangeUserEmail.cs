using KoderId.Application.Common;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>A new address, pending until <see cref="VerifyUserEmail"/> unless an administrator vouches for it. The old address is released and the new one claimed in the same append.</summary>
public sealed record ChangeUserEmail(string TenantId, string UserId, string Email, bool Verified = false) : ICommand<CommandResult>;

public sealed class ChangeUserEmailHandler(AggregateStore aggregates) : ICommandHandler<ChangeUserEmail, CommandResult>
{
    public async ValueTask<CommandResult> Handle(ChangeUserEmail command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s => User.ChangeEmail(s, command.Email, command.Verified), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
