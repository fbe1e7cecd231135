using KoderId.Application.Common;
using KoderId.Application.Users;
using KoderId.Domain;
using KoderId.Domain.Mfa;
using KoderId.Domain.Users;

namespace KoderId.Application.Mfa;

/// <summary>
/// The path every MFA command takes: an active tenant, then the user (KID1011 for a malformed, unknown or
/// another tenant's id), then <c>mfa-{tenant}-{user}</c> loaded, decided and appended with optimistic
/// concurrency (a racing writer makes the loser decide again on the winner's state, where a spent code is spent).
/// </summary>
internal static class MfaWrites
{
    /// <summary>A user who can sign in: self-service and the sign-in factors (KID1016 disabled, KID1011 otherwise).</summary>
    public static async Task<UserState> RequireActiveUserAsync(this AggregateStore aggregates, string tenantId, string userId, CancellationToken ct)
    {
        var user = await aggregates.LoadUserAsync(tenantId, userId, ct).ConfigureAwait(false);
        if (!User.CanSignIn(user))
        {
            throw user.Status == UserStatus.Disabled
                ? new DomainException(DomainErrors.UserDisabled, "The user is disabled.")
                : new DomainException(DomainErrors.UserNotFound, "The user does not exist.");
        }

        return user;
    }

    /// <summary>A user that exists and is not deleted or erased: what an administrator may act on (a disabled user too).</summary>
    public static async Task<UserState> RequireLiveUserStateAsync(this AggregateStore aggregates, string tenantId, string userId, CancellationToken ct)
    {
        var user = await aggregates.LoadUserAsync(tenantId, userId, ct).ConfigureAwait(false);
        if (!user.Exists)
        {
            throw new DomainException(DomainErrors.UserNotFound, "The user does not exist.");
        }

        User.EnsureLive(user);
        return user;
    }

    public static async Task<UserMfaState> LoadMfaAsync(this AggregateStore aggregates, string tenantId, string userId, CancellationToken ct) =>
        (await aggregates.LoadAsync(Aggregates.Mfa, tenantId, StreamNames.Mfa(tenantId, userId), ct).ConfigureAwait(false)).State;

    public static Task<Decided<UserMfaState>> DecideMfaAsync(
        this AggregateStore aggregates,
        string tenantId,
        string userId,
        Func<UserMfaState, IReadOnlyList<object>> decide,
        CancellationToken ct) =>
        aggregates.DecideAsync(Aggregates.Mfa, tenantId, StreamNames.Mfa(tenantId, userId), decide, ct);

    public static CommandResult ToResult(this Decided<UserMfaState> decided, string userId) => new(userId, decided.Version, decided.Changed);
}
