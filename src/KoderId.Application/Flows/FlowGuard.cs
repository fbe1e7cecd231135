using System.Globalization;
using KoderId.Application.Common;
using KoderId.EventSourcing.Storage;

namespace KoderId.Application.Flows;

/// <summary>
/// Brute-force protection shared by every path that checks a secret (ADR 0006): failure counters per user and per
/// client address in the transient store (kinds <c>fail-user</c>, <c>fail-ip</c>: bounded, never events), the
/// per-address throttle, and the user lock, which is an event (<see cref="IUserLockouts"/>).
/// </summary>
public sealed class FlowGuard(ITransientStore store, IUserLockouts lockouts, FlowOptions options, IClock clock)
{
    public const string UserFailures = "fail-user";
    public const string IpFailures = "fail-ip";

    private FlowOptions Options => options;

    /// <summary>Throws <see cref="FlowErrors.Throttled"/> when the address has failed too often in the window.</summary>
    public async Task EnsureNotThrottledAsync(string tenantId, string? clientIp, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(clientIp))
        {
            return;
        }

        var counter = await store.GetAsync(tenantId, IpFailures, clientIp, ct).ConfigureAwait(false);
        if (counter is not null && counter.Version >= Options.MaxFailuresPerIp)
        {
            var wait = counter.ExpiresAt - clock.UtcNow;
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            throw new FlowException(
                FlowErrors.Throttled,
                string.Create(CultureInfo.InvariantCulture, $"Too many failed attempts from this address; try again in {seconds} s."),
                TimeSpan.FromSeconds(seconds));
        }
    }

    /// <summary>Whether the user is locked out now.</summary>
    public async Task<bool> IsLockedAsync(string tenantId, string userId, CancellationToken ct) =>
        await lockouts.LockedUntilAsync(tenantId, userId, ct).ConfigureAwait(false) is { } until && until > clock.UtcNow;

    /// <summary>
    /// Counts a failed answer against the address and (when known) the user; the attempt that reaches the tenant's
    /// <c>MaxFailedAttempts</c> locks the user; the lock decision refuses a second lock while one holds, so
    /// concurrent failures append one lock event between them.
    /// </summary>
    public async Task RecordFailureAsync(string tenantId, string? userId, string? clientIp, CancellationToken ct)
    {
        var expires = clock.UtcNow + Options.FailureWindow;
        if (!string.IsNullOrEmpty(clientIp))
        {
            await store.IncrementAsync(tenantId, IpFailures, clientIp, expires, ct).ConfigureAwait(false);
        }

        if (userId is not null)
        {
            var count = await store.IncrementAsync(tenantId, UserFailures, userId, expires, ct).ConfigureAwait(false);
            if (await lockouts.OnFailureAsync(tenantId, userId, count, ct).ConfigureAwait(false))
            {
                // The lock is the record now; a fresh count starts when it ends.
                await store.DeleteAsync(tenantId, UserFailures, userId, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>An administrator's unlock forgives the failures counted so far.</summary>
    public Task ForgetUserFailuresAsync(string tenantId, string userId, CancellationToken ct) =>
        store.DeleteAsync(tenantId, UserFailures, userId, ct);

    /// <summary>A success clears the user's and the address's counts.</summary>
    public async Task RecordSuccessAsync(string tenantId, string userId, string? clientIp, CancellationToken ct)
    {
        await store.DeleteAsync(tenantId, UserFailures, userId, ct).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(clientIp))
        {
            await store.DeleteAsync(tenantId, IpFailures, clientIp, ct).ConfigureAwait(false);
        }
    }
}

/// <summary>The user lock (ADR 0006): read from the read side, set by appending <c>user.locked-out.v1</c>.</summary>
public interface IUserLockouts
{
    /// <summary>Until when the user is locked; null when never locked or unlocked.</summary>
    ValueTask<DateTimeOffset?> LockedUntilAsync(string tenantId, string userId, CancellationToken ct);

    /// <summary>Called with the user's failure count after each failure; locks the user when it reaches the tenant's limit. True when this call appended the lock.</summary>
    ValueTask<bool> OnFailureAsync(string tenantId, string userId, long failures, CancellationToken ct);
}
