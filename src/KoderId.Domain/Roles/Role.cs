using System.Collections.Immutable;
using KoderId.Events.Roles;

namespace KoderId.Domain.Roles;

/// <summary>A role and who holds it directly: users and groups, by id.</summary>
public sealed record RoleState(string RoleId, string Name, bool Created, bool Deleted, ImmutableHashSet<string> Users, ImmutableHashSet<string> Groups)
{
    public static readonly RoleState Initial = new("", "", false, false,
        ImmutableHashSet.Create<string>(StringComparer.Ordinal), ImmutableHashSet.Create<string>(StringComparer.Ordinal));

    public bool Exists => Created;

    public bool IsLive => Created && !Deleted;
}

/// <summary>
/// Decisions on a role. Assigning twice or unassigning what is not assigned changes nothing. Whether the
/// user or group exists is the caller's check (other streams).
/// </summary>
public static class Role
{
    public const string NameScope = "role";

    public static RoleState Evolve(RoleState state, object @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        return @event switch
        {
            RoleCreated e => state with { RoleId = e.RoleId, Name = e.Name, Created = true },
            RoleDeleted => state with { Deleted = true, Users = state.Users.Clear(), Groups = state.Groups.Clear() },
            RoleAssignedToUser e => state with { Users = state.Users.Add(e.UserId) },
            RoleUnassignedFromUser e => state with { Users = state.Users.Remove(e.UserId) },
            RoleAssignedToGroup e => state with { Groups = state.Groups.Add(e.GroupId) },
            RoleUnassignedFromGroup e => state with { Groups = state.Groups.Remove(e.GroupId) },
            _ => state,
        };
    }

    /// <summary>A live role holds its name in the tenant; a deleted one has released it.</summary>
    public static IReadOnlyList<UniqueKey> UniqueKeys(RoleState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.IsLive ? [new UniqueKey(NameScope, Names.Key(state.Name))] : [];
    }

    public static IReadOnlyList<object> Create(RoleState state, string roleId, string name)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!Names.IsValidId(roleId))
        {
            throw new DomainException(DomainErrors.RoleInvalidId, "A role id is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }

        if (state.Created)
        {
            throw new DomainException(DomainErrors.RoleIdTaken, "A role with this id already exists.");
        }

        var normalized = Names.Normalize(name) ?? throw new DomainException(DomainErrors.RoleInvalidName, $"A role name is 1 to {Names.MaxLength} printable characters.");
        return [new RoleCreated(roleId, normalized)];
    }

    public static IReadOnlyList<object> Delete(RoleState state)
    {
        EnsureExists(state);
        return state.Deleted ? [] : [new RoleDeleted(state.RoleId)];
    }

    public static IReadOnlyList<object> AssignToUser(RoleState state, string userId)
    {
        EnsureLive(state);
        return state.Users.Contains(userId) ? [] : [new RoleAssignedToUser(state.RoleId, userId)];
    }

    public static IReadOnlyList<object> UnassignFromUser(RoleState state, string userId)
    {
        EnsureLive(state);
        return state.Users.Contains(userId) ? [new RoleUnassignedFromUser(state.RoleId, userId)] : [];
    }

    public static IReadOnlyList<object> AssignToGroup(RoleState state, string groupId)
    {
        EnsureLive(state);
        return state.Groups.Contains(groupId) ? [] : [new RoleAssignedToGroup(state.RoleId, groupId)];
    }

    public static IReadOnlyList<object> UnassignFromGroup(RoleState state, string groupId)
    {
        EnsureLive(state);
        return state.Groups.Contains(groupId) ? [new RoleUnassignedFromGroup(state.RoleId, groupId)] : [];
    }

    private static void EnsureLive(RoleState state)
    {
        EnsureExists(state);
        if (state.Deleted)
        {
            throw new DomainException(DomainErrors.RoleDeleted, "The role is deleted.");
        }
    }

    private static void EnsureExists(RoleState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Created)
        {
            throw new DomainException(DomainErrors.RoleNotFound, "The role does not exist.");
        }
    }
}
