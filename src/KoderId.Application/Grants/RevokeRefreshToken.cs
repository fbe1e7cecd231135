using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Grants;
using Mediator;

namespace KoderId.Application.Grants;

/// <summary>RFC 7009 revocation of a refresh token by the client it was issued to: the whole family ends.</summary>
public sealed record RevokeRefreshToken(string TenantId, string RefreshToken, string ClientId) : ICommand<RevokedRefreshToken>;

/// <param name="FamilyId">The family revoked, or null when the token named none (RFC 7009 §2.2 still answers 200).</param>
public sealed record RevokedRefreshToken(string? FamilyId, bool Changed);

/// <summary>
/// An unknown, malformed or other tenant's token, or one whose secret matches no generation of its family, is
/// not an error (RFC 7009 §2.2) and changes nothing: knowing a family id alone revokes nothing. Another
/// client's token is refused (KID1245, RFC 7009 §2.1).
/// </summary>
public sealed class RevokeRefreshTokenHandler(AggregateStore aggregates) : ICommandHandler<RevokeRefreshToken, RevokedRefreshToken>
{
    public async ValueTask<RevokedRefreshToken> Handle(RevokeRefreshToken command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.LoadTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        if (!RefreshTokenFormat.TryParse(command.RefreshToken, out var familyId, out var secret))
        {
            return new RevokedRefreshToken(null, false);
        }

        var presentedHash = GrantSecrets.Hash(secret);
        try
        {
            var decided = await aggregates.DecideAsync(
                Aggregates.RefreshFamily,
                command.TenantId,
                StreamNames.RefreshFamily(command.TenantId, familyId),
                s => RefreshFamily.RevokeToken(s, presentedHash, command.ClientId),
                cancellationToken).ConfigureAwait(false);
            return new RevokedRefreshToken(familyId, decided.Changed);
        }
        catch (DomainException ex) when (ex.Code == DomainErrors.RefreshNotFound)
        {
            return new RevokedRefreshToken(null, false);
        }
    }
}
