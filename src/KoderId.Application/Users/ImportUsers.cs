using KoderId.Application.Common;
using KoderId.Application.Credentials;
using KoderId.Domain;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Users;

/// <summary>
/// Many new users of one tenant in one atomic append (ADR 0007: the bulk path of an import). Each user is decided
/// exactly as <see cref="ImportUser"/> decides it on a new stream; if any of them exists already, or holds a
/// username or address that is taken, the store refuses the whole batch (<c>WrongExpectedVersionException</c>,
/// <c>UniqueClaimViolationException</c>) and nothing is written: the caller imports those users one by one.
/// </summary>
/// <param name="Origins">Per user, the causation id its events record (the source system's id).</param>
public sealed record ImportUsers(string TenantId, IReadOnlyList<ImportUser> Users, IReadOnlyList<string?> Origins) : ICommand<ImportUsersResult>
{
    public const int MaxUsers = 1000;

    public override string ToString() => $"ImportUsers {{ TenantId = {TenantId}, Users = {Users.Count} }}";
}

public sealed record ImportUsersResult(int Created, long LastPosition);

public sealed class ImportUsersHandler(AggregateStore aggregates) : ICommandHandler<ImportUsers, ImportUsersResult>
{
    public async ValueTask<ImportUsersResult> Handle(ImportUsers command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Users.Count is 0 or > ImportUsers.MaxUsers || command.Origins.Count != command.Users.Count)
        {
            throw new ArgumentException($"1 to {ImportUsers.MaxUsers} users, each with its origin.", nameof(command));
        }

        if (!aggregates.SupportsBulkAppend)
        {
            throw new NotSupportedException("The store cannot append several streams at once: import the users one by one.");
        }

        await aggregates.RequireActiveTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        var streams = new List<(string, IReadOnlyList<object>, string?)>(command.Users.Count);
        var subjects = new List<string>(command.Users.Count);
        for (var i = 0; i < command.Users.Count; i++)
        {
            var user = command.Users[i];
            if (user.TenantId != command.TenantId)
            {
                throw new ArgumentException("Every user is of the command's tenant.", nameof(command));
            }

            if (!User.IsValidUserId(user.UserId))
            {
                throw new DomainException(DomainErrors.UserInvalidId, $"A user id is 1 to {User.MaxUserIdLength} letters, digits, '.', '_' or '-', starting with a letter or digit.");
            }

            if (user.PasswordHash is not null && !PasswordHashingService.IsVerifiable(user.PasswordHash))
            {
                throw new PasswordHashFormatException(PasswordHashFormatError.UnsupportedAlgorithm);
            }

            streams.Add((StreamNames.User(command.TenantId, user.UserId), ImportUserHandler.Decide(UserState.Initial, user), command.Origins[i]));
            subjects.Add(user.UserId);
        }

        var results = await aggregates.AppendNewStreamsAsync(Aggregates.User, command.TenantId, streams, subjects, cancellationToken).ConfigureAwait(false);
        return new ImportUsersResult(results.Count, results[^1].LastPosition);
    }
}
