using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Users;

namespace KoderId.Application.Users;

/// <summary>
/// The one path every user command takes: the tenant must accept writes (read from its own stream), then
/// user-{tenant}-{user} is loaded, decided and appended. A user id that is malformed, missing or another
/// tenant's is the same KID1011.
/// </summary>
internal static class UserWrites
{
    public static async Task<Decided<UserState>> DecideUserAsync(
        this AggregateStore aggregates,
        string tenantId,
        string userId,
        Func<UserState, IReadOnlyList<object>> decide,
        CancellationToken ct,
        bool requireActiveTenant = true)
    {
        if (requireActiveTenant)
        {
            await aggregates.RequireActiveTenantAsync(tenantId, ct).ConfigureAwait(false);
        }
        else
        {
            await aggregates.LoadTenantAsync(tenantId, ct).ConfigureAwait(false);
        }

        if (!User.IsValidUserId(userId))
        {
            throw new DomainException(DomainErrors.UserNotFound, "The user does not exist.");
        }

        return await aggregates.DecideAsync(Aggregates.User, tenantId, StreamNames.User(tenantId, userId), decide, ct).ConfigureAwait(false);
    }

    /// <summary>The user's state after the same tenant and id checks as <see cref="DecideUserAsync"/>; a missing user is the initial state.</summary>
    public static async Task<UserState> LoadUserAsync(this AggregateStore aggregates, string tenantId, string userId, CancellationToken ct)
    {
        await aggregates.RequireActiveTenantAsync(tenantId, ct).ConfigureAwait(false);
        if (!User.IsValidUserId(userId))
        {
            throw new DomainException(DomainErrors.UserNotFound, "The user does not exist.");
        }

        return (await aggregates.LoadAsync(Aggregates.User, tenantId, StreamNames.User(tenantId, userId), ct).ConfigureAwait(false)).State;
    }

    /// <summary>For writes elsewhere that name a user (memberships, role assignments): it must exist, not deleted or erased.</summary>
    public static async Task RequireLiveUserAsync(this AggregateStore aggregates, string tenantId, string userId, CancellationToken ct) =>
        User.EnsureLive(await aggregates.LoadUserAsync(tenantId, userId, ct).ConfigureAwait(false));

    public static CommandResult ToResult(this Decided<UserState> decided, string userId) => new(userId, decided.Version, decided.Changed);
}
