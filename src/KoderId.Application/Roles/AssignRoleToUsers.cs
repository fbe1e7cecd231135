using KoderId.Application.Common;
using KoderId.Application.Users;
using KoderId.Domain.Roles;
using KoderId.EventSourcing.Storage;
using Mediator;

namespace KoderId.Application.Roles;

/// <summary>
/// Many users get one role in one append (an import's user grants: ADR 0007), each through
/// <see cref="Role.AssignToUser"/>; users that already hold it are left out. Every user must exist and be live,
/// as for <see cref="AssignRoleToUser"/>. At most <see cref="MaxUsers"/> per command.
/// </summary>
public sealed record AssignRoleToUsers(string TenantId, string RoleId, IReadOnlyList<string> UserIds) : ICommand<RoleAssignmentsResult>
{
    public const int MaxUsers = EventStoreLimits.MaxEventsPerAppend;
}

/// <param name="Assigned">How many of the users did not hold the role before.</param>
public sealed record RoleAssignmentsResult(string RoleId, long Version, int Assigned);

public sealed class AssignRoleToUsersHandler(AggregateStore aggregates) : ICommandHandler<AssignRoleToUsers, RoleAssignmentsResult>
{
    public async ValueTask<RoleAssignmentsResult> Handle(AssignRoleToUsers command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var users = command.UserIds.Distinct(StringComparer.Ordinal).ToArray();
        if (users.Length > AssignRoleToUsers.MaxUsers)
        {
            throw new ArgumentException($"At most {AssignRoleToUsers.MaxUsers} users per command.", nameof(command));
        }

        foreach (var userId in users)
        {
            await aggregates.RequireLiveUserAsync(command.TenantId, userId, cancellationToken).ConfigureAwait(false);
        }

        var decided = await aggregates.DecideRoleAsync(command.TenantId, command.RoleId, s =>
        {
            var events = new List<object>();
            foreach (var userId in users)
            {
                var more = Role.AssignToUser(s, userId);
                events.AddRange(more);
                s = more.Aggregate(s, Role.Evolve);
            }

            return events;
        }, cancellationToken).ConfigureAwait(false);
        return new RoleAssignmentsResult(command.RoleId, decided.Version, decided.Events.Count);
    }
}
