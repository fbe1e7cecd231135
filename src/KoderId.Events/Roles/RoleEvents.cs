using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Roles;

// Role events go to role-{tenant}-{role}: the role's assignments live with the role, so a deleted role
// takes all of them along. A user assignment names the user as [DataSubject] for the audit model.

[EventType("role.created.v1")]
public sealed record RoleCreated(string RoleId, string Name);

/// <summary>The role is gone, and every assignment of it with it.</summary>
[EventType("role.deleted.v1")]
public sealed record RoleDeleted(string RoleId);

[EventType("role.assigned-to-user.v1")]
public sealed record RoleAssignedToUser(string RoleId, [property: DataSubject] string UserId);

[EventType("role.unassigned-from-user.v1")]
public sealed record RoleUnassignedFromUser(string RoleId, [property: DataSubject] string UserId);

/// <summary>Every member of the group has the role while both exist and the member stays in the group.</summary>
[EventType("role.assigned-to-group.v1")]
public sealed record RoleAssignedToGroup(string RoleId, string GroupId);

[EventType("role.unassigned-from-group.v1")]
public sealed record RoleUnassignedFromGroup(string RoleId, string GroupId);
