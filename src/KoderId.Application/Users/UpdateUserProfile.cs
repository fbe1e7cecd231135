using KoderId.Application.Common;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>A merge patch of the profile (JSON merge patch semantics: absent leaves a field, null clears it).</summary>
public sealed record UpdateUserProfile(string TenantId, string UserId, UserProfilePatch Patch) : ICommand<CommandResult>;

public sealed class UpdateUserProfileHandler(AggregateStore aggregates) : ICommandHandler<UpdateUserProfile, CommandResult>
{
    public async ValueTask<CommandResult> Handle(UpdateUserProfile command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var decided = await aggregates.DecideUserAsync(command.TenantId, command.UserId, s => User.UpdateProfile(s, command.Patch), cancellationToken).ConfigureAwait(false);
        return decided.ToResult(command.UserId);
    }
}
