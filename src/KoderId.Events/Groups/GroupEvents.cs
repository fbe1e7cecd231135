using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Groups;

// Group events go to group-{tenant}-{group}. A group's name is an organisational label, not personal data.
// Membership events name the member as [DataSubject] so the audit model finds them by user.

[EventType("group.created.v1")]
public sealed record GroupCreated(string GroupId, string Name);

[EventType("group.renamed.v1")]
public sealed record GroupRenamed(string GroupId, string Name);

/// <summary>The group is gone, and with it what its members got through it (their memberships and its roles).</summary>
[EventType("group.deleted.v1")]
public sealed record GroupDeleted(string GroupId);

[EventType("group.member-added.v1")]
public sealed record GroupMemberAdded(string GroupId, [property: DataSubject] string UserId);

[EventType("group.member-removed.v1")]
public sealed record GroupMemberRemoved(string GroupId, [property: DataSubject] string UserId);
