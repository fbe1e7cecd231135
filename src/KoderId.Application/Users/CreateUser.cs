using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <param name="UserId">Only for imports that keep their ids; otherwise a time-ordered id is generated.</param>
public sealed record CreateUser(
    string TenantId,
    string Username,
    string? Email = null,
    bool EmailVerified = false,
    UserProfile? Profile = null,
    string? UserId = null) : ICommand<UserCreatedResult>;

public sealed record UserCreatedResult(string UserId, long Version);

/// <summary>Username and email are claimed in the same append as <c>user.created.v1</c>: of two racing creations exactly one wins (KID1010 / KID1017 for the other).</summary>
public sealed class CreateUserHandler(AggregateStore aggregates) : ICommandHandler<CreateUser, UserCreatedResult>
{
    public async ValueTask<UserCreatedResult> Handle(CreateUser command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var userId = command.UserId ?? Guid.CreateVersion7().ToString("N");
        if (!User.IsValidUserId(userId))
        {
            // Checked before the stream name is built, so a bad id is KID1020 rather than not-found.
            User.Create(UserState.Initial, userId, command.Username, command.Email, command.EmailVerified, command.Profile);
        }

        try
        {
            var decided = await aggregates.DecideUserAsync(
                command.TenantId,
                userId,
                s => User.Create(s, userId, command.Username, command.Email, command.EmailVerified, command.Profile),
                cancellationToken).ConfigureAwait(false);
            return new UserCreatedResult(userId, decided.Version);
        }
        catch (DomainException ex) when (ex.Code == DomainErrors.UserNotFound)
        {
            // The stream name is held by another tenant's stream (see StreamNames): the id cannot be used here.
            throw new DomainException(DomainErrors.UserIdTaken, "A user with this id already exists.");
        }
    }
}
