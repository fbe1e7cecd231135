using KoderId.Application.Common;
using KoderId.Application.Tenants;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>The user reached the tenant's failed-attempt limit (ADR 0006): appends <c>user.locked-out.v1</c> unless already locked.</summary>
public sealed record LockOutUser(string TenantId, string UserId, int FailedAttempts) : ICommand<CommandResult>;

public sealed class LockOutUserHandler(AggregateStore aggregates, ITenantSettingsProvider settings, IClock clock) : ICommandHandler<LockOutUser, CommandResult>
{
    public async ValueTask<CommandResult> Handle(LockOutUser command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var lockout = (await settings.GetAsync(command.TenantId, cancellationToken).ConfigureAwait(false)).Lockout;
        var decided = await aggregates.DecideUserAsync(
            command.TenantId, command.UserId, s => User.LockOut(s, clock.UtcNow, command.FailedAttempts, lockout), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
