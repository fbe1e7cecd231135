using KoderId.Application.Common;
using KoderId.Domain;
using Mediator;

namespace KoderId.Application.Mfa;

/// <summary>The pending enrolment's secret and URI again (to draw its QR code); KID1322 when there is none.</summary>
public sealed record GetPendingTotp(string TenantId, string UserId) : IQuery<TotpEnrolment>;

public sealed class GetPendingTotpHandler(AggregateStore aggregates) : IQueryHandler<GetPendingTotp, TotpEnrolment>
{
    public async ValueTask<TotpEnrolment> Handle(GetPendingTotp query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var tenant = await aggregates.RequireActiveTenantAsync(query.TenantId, cancellationToken).ConfigureAwait(false);
        var user = await aggregates.RequireActiveUserAsync(query.TenantId, query.UserId, cancellationToken).ConfigureAwait(false);
        var mfa = await aggregates.LoadMfaAsync(query.TenantId, query.UserId, cancellationToken).ConfigureAwait(false);
        if (mfa.PendingSecret is not { } secret || !Domain.Mfa.UserMfa.IsValidSecret(secret))
        {
            throw new DomainException(DomainErrors.TotpNoPendingEnrolment, "There is no pending TOTP enrolment.");
        }

        return new TotpEnrolment(secret, TotpCodes.OtpAuthUri(tenant.Name, user.Username, secret));
    }
}
