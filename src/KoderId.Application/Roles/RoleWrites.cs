using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Roles;

namespace KoderId.Application.Roles;

/// <summary>Every role command's path: an active tenant, then role-{tenant}-{role}. A malformed or foreign id is KID1060.</summary>
internal static class RoleWrites
{
    public static async Task<Decided<RoleState>> DecideRoleAsync(
        this AggregateStore aggregates, string tenantId, string roleId, Func<RoleState, IReadOnlyList<object>> decide, CancellationToken ct)
    {
        await aggregates.RequireActiveTenantAsync(tenantId, ct).ConfigureAwait(false);
        if (!Names.IsValidId(roleId))
        {
            throw new DomainException(DomainErrors.RoleNotFound, "The role does not exist.");
        }

        return await aggregates.DecideAsync(Aggregates.Role, tenantId, StreamNames.Role(tenantId, roleId), decide, ct).ConfigureAwait(false);
    }

    public static CommandResult ToResult(this Decided<RoleState> decided, string roleId) => new(roleId, decided.Version, decided.Changed);
}
