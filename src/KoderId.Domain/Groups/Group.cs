using System.Collections.Immutable;
using KoderId.Events.Groups;

namespace KoderId.Domain.Groups;

/// <summary>A group as its stream folds it. <see cref="Members"/> are user ids.</summary>
public sealed record GroupState(string GroupId, string Name, bool Created, bool Deleted, ImmutableHashSet<string> Members)
{
    public static readonly GroupState Initial = new("", "", false, false, ImmutableHashSet.Create<string>(StringComparer.Ordinal));

    public bool Exists => Created;

    public bool IsLive => Created && !Deleted;
}

/// <summary>
/// Decisions on a group. Adding a member twice or removing a non-member changes nothing. Whether the user
/// exists is the caller's check (another stream).
/// </summary>
public static class Group
{
    public const string NameScope = "group";

    public static GroupState Evolve(GroupState state, object @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        return @event switch
        {
            GroupCreated e => state with { GroupId = e.GroupId, Name = e.Name, Created = true },
            GroupRenamed e => state with { Name = e.Name },
            GroupDeleted => state with { Deleted = true, Members = state.Members.Clear() },
            GroupMemberAdded e => state with { Members = state.Members.Add(e.UserId) },
            GroupMemberRemoved e => state with { Members = state.Members.Remove(e.UserId) },
            _ => state,
        };
    }

    /// <summary>A live group holds its name in the tenant; a deleted one has released it.</summary>
    public static IReadOnlyList<UniqueKey> UniqueKeys(GroupState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.IsLive ? [new UniqueKey(NameScope, Names.Key(state.Name))] : [];
    }

    public static IReadOnlyList<object> Create(GroupState state, string groupId, string name)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!Names.IsValidId(groupId))
        {
            throw new DomainException(DomainErrors.GroupInvalidId, "A group id is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }

        if (state.Created)
        {
            throw new DomainException(DomainErrors.GroupIdTaken, "A group with this id already exists.");
        }

        return [new GroupCreated(groupId, Name(name))];
    }

    public static IReadOnlyList<object> Rename(GroupState state, string name)
    {
        EnsureLive(state);
        var normalized = Name(name);
        return string.Equals(normalized, state.Name, StringComparison.Ordinal) ? [] : [new GroupRenamed(state.GroupId, normalized)];
    }

    public static IReadOnlyList<object> Delete(GroupState state)
    {
        EnsureExists(state);
        return state.Deleted ? [] : [new GroupDeleted(state.GroupId)];
    }

    public static IReadOnlyList<object> AddMember(GroupState state, string userId)
    {
        EnsureLive(state);
        return state.Members.Contains(userId) ? [] : [new GroupMemberAdded(state.GroupId, userId)];
    }

    public static IReadOnlyList<object> RemoveMember(GroupState state, string userId)
    {
        EnsureLive(state);
        return state.Members.Contains(userId) ? [new GroupMemberRemoved(state.GroupId, userId)] : [];
    }

    /// <summary>KID1040 for a group that never existed, KID1043 for a deleted one.</summary>
    public static void EnsureLive(GroupState state)
    {
        EnsureExists(state);
        if (state.Deleted)
        {
            throw new DomainException(DomainErrors.GroupDeleted, "The group is deleted.");
        }
    }

    private static void EnsureExists(GroupState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Created)
        {
            throw new DomainException(DomainErrors.GroupNotFound, "The group does not exist.");
        }
    }

    private static string Name(string? name) =>
        Names.Normalize(name) ?? throw new DomainException(DomainErrors.GroupInvalidName, $"A group name is 1 to {Names.MaxLength} printable characters.");
}
