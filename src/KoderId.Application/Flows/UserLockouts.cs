using KoderId.Application.Common;
using KoderId.Application.Tenants;
using KoderId.Application.Users;
using KoderId.Domain;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Flows;

/// <summary>
/// The lock as the user's own stream holds it. Read from the stream rather than a projection: every path that asks
/// is about to load the user anyway (the password check, the session start), and the stream holds only the
/// user's few administrative events; failures never reach it.
/// </summary>
public sealed class UserLockouts(AggregateStore aggregates, ITenantSettingsProvider settings, ISender sender) : IUserLockouts
{
    public async ValueTask<DateTimeOffset?> LockedUntilAsync(string tenantId, string userId, CancellationToken ct)
    {
        try
        {
            return (await aggregates.LoadUserAsync(tenantId, userId, ct).ConfigureAwait(false)).Lock?.Until;
        }
        catch (DomainException)
        {
            // No such tenant or user: nothing to lock, and the caller fails the attempt anyway.
            return null;
        }
    }

    public async ValueTask<bool> OnFailureAsync(string tenantId, string userId, long failures, CancellationToken ct)
    {
        var limit = (await settings.GetAsync(tenantId, ct).ConfigureAwait(false)).Lockout.MaxFailedAttempts;

        if (failures < limit)
        {
            return false;
        }

        // Concurrent failures past the limit all ask; the decision appends nothing while a lock holds, and the
        // stream's optimistic concurrency makes two racing appends one (the loser re-decides and finds the lock).
        try
        {
            return (await sender.Send(new LockOutUser(tenantId, userId, (int)Math.Min(failures, int.MaxValue)), ct).ConfigureAwait(false)).Changed;
        }
        catch (Exception ex) when (ex is DomainException or KoderId.EventSourcing.Storage.WrongExpectedVersionException)
        {
            // The user went away meanwhile, or a third writer kept the stream busy: the next failure asks again.
            return false;
        }
    }
}
