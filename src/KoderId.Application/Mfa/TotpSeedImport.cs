using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Mfa;

namespace KoderId.Application.Mfa;

/// <summary>
/// <see cref="ITotpSeedImport"/> onto the MFA stream: <c>mfa.totp-enrolment-started.v1</c> and
/// <c>mfa.totp-enrolled.v1</c> (source <c>import</c>) in one append. The secret is accepted in any case, with or
/// without <c>=</c> padding and spaces (exports differ), and stored as canonical upper-case base32; one that is not
/// base32 is KID1320. The user must exist and be live (KID1011, KID1012, KID1013).
/// </summary>
public sealed class TotpSeedImport(AggregateStore aggregates) : ITotpSeedImport
{
    public async ValueTask<bool> ImportAsync(string tenantId, string userId, string base32Secret, CancellationToken ct)
    {
        var secret = (base32Secret ?? "").Replace(" ", "", StringComparison.Ordinal).TrimEnd('=').ToUpperInvariant();
        if (!UserMfa.IsValidSecret(secret))
        {
            throw new DomainException(DomainErrors.MfaInvalidRequest, "The imported TOTP secret is not RFC 4648 base32 of 16 to 128 characters.");
        }

        await aggregates.RequireLiveUserStateAsync(tenantId, userId, ct).ConfigureAwait(false);
        var decided = await aggregates.DecideMfaAsync(tenantId, userId, s => UserMfa.ImportTotp(s, userId, secret), ct).ConfigureAwait(false);
        return decided.Changed;
    }
}
