using KoderId.Application.Common;
using Mediator;

namespace KoderId.Application.Mfa;

/// <summary>
/// What second factors a user has, for the self-service and admin APIs and the account page. Read from the
/// user's own small stream (as the sign-in checks are), not from a projection: it must be current right after a write.
/// </summary>
public sealed record GetMfaStatus(string TenantId, string UserId) : IQuery<MfaStatus>;

/// <param name="TotpSource"><c>confirmation</c> or <c>import</c> when enrolled.</param>
public sealed record MfaStatus(bool TotpEnrolled, bool TotpPending, string? TotpSource, int RecoveryCodesRemaining, int RecoveryCodesTotal);

/// <summary>KID1011 for an unknown, deleted or another tenant's user; a disabled user's status can still be read (by an administrator).</summary>
public sealed class GetMfaStatusHandler(AggregateStore aggregates) : IQueryHandler<GetMfaStatus, MfaStatus>
{
    public async ValueTask<MfaStatus> Handle(GetMfaStatus query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await aggregates.RequireLiveUserStateAsync(query.TenantId, query.UserId, cancellationToken).ConfigureAwait(false);
        var mfa = await aggregates.LoadMfaAsync(query.TenantId, query.UserId, cancellationToken).ConfigureAwait(false);
        return new MfaStatus(mfa.TotpEnrolled, mfa.TotpPending, mfa.Source, mfa.RecoveryCodesRemaining, mfa.RecoveryCodeHashes.Length);
    }
}
