using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Groups;

namespace KoderId.Application.Groups;

/// <summary>Every group command's path: an active tenant, then group-{tenant}-{group}. A malformed or foreign id is KID1040.</summary>
internal static class GroupWrites
{
    public static async Task<Decided<GroupState>> DecideGroupAsync(
        this AggregateStore aggregates, string tenantId, string groupId, Func<GroupState, IReadOnlyList<object>> decide, CancellationToken ct)
    {
        await aggregates.RequireActiveTenantAsync(tenantId, ct).ConfigureAwait(false);
        EnsureId(groupId);
        return await aggregates.DecideAsync(Aggregates.Group, tenantId, StreamNames.Group(tenantId, groupId), decide, ct).ConfigureAwait(false);
    }

    /// <summary>For role assignments: the group must exist and not be deleted.</summary>
    public static async Task RequireLiveGroupAsync(this AggregateStore aggregates, string tenantId, string groupId, CancellationToken ct)
    {
        EnsureId(groupId);
        Group.EnsureLive((await aggregates.LoadAsync(Aggregates.Group, tenantId, StreamNames.Group(tenantId, groupId), ct).ConfigureAwait(false)).State);
    }

    public static CommandResult ToResult(this Decided<GroupState> decided, string groupId) => new(groupId, decided.Version, decided.Changed);

    private static void EnsureId(string groupId)
    {
        if (!Names.IsValidId(groupId))
        {
            throw new DomainException(DomainErrors.GroupNotFound, "The group does not exist.");
        }
    }
}
