using System.Collections.Immutable;
using KoderId.Application.Common;
using KoderId.Domain;
using KoderId.Domain.Grants;
using Mediator;

namespace KoderId.Application.Grants;

/// <summary>The token endpoint's <c>authorization_code</c> grant, after client authentication.</summary>
/// <param name="IssueRefreshToken">Whether the grant starts a refresh family (the client's grant types and scope decide).</param>
public sealed record RedeemAuthorizationCode(
    string TenantId,
    string Code,
    string ClientId,
    string RedirectUri,
    string? CodeVerifier,
    bool IssueRefreshToken = false,
    TimeSpan? RefreshLifetime = null) : ICommand<RedeemedAuthorizationCode>;

/// <summary>What the tokens are made of. <paramref name="RefreshToken"/> is shown this once, never stored or logged.</summary>
public sealed record RedeemedAuthorizationCode(
    string ClientId,
    string UserId,
    string SessionId,
    string Scope,
    string? Nonce,
    DateTimeOffset AuthTime,
    ImmutableArray<string> AuthMethods,
    string? Acr,
    string? RefreshFamilyId,
    string? RefreshToken,
    DateTimeOffset? RefreshExpiresAt);

/// <summary>
/// ADR 0004: single use is the store's. The family (if any) is started first, then <c>grant.code-redeemed.v1</c>
/// is appended at version 1 (<c>ExpectedVersion.Exact(1)</c>): of two redemptions exactly one appends. A loser,
/// and any later presentation of the code, finds it redeemed: it records <c>grant.code-reuse-detected.v1</c>
/// once, revokes the family the first redemption started (RFC 6749 §4.1.2, RFC 9700 §4.5) and fails with
/// KID1236; a loser also revokes the family it started itself, which nobody was given.
/// </summary>
public sealed class RedeemAuthorizationCodeHandler(AggregateStore aggregates, IClock clock) : ICommandHandler<RedeemAuthorizationCode, RedeemedAuthorizationCode>
{
    public async ValueTask<RedeemedAuthorizationCode> Handle(RedeemAuthorizationCode command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireActiveTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        if (!GrantSecrets.IsSecret(command.Code))
        {
            throw new DomainException(DomainErrors.CodeNotFound, "The authorization code is not valid.");
        }

        var now = clock.UtcNow;
        var stream = StreamNames.AuthorizationCode(command.TenantId, GrantSecrets.Hash(command.Code));
        var code = (await aggregates.LoadAsync(Aggregates.AuthorizationCode, command.TenantId, stream, cancellationToken).ConfigureAwait(false)).State;
        if (code.Redeemed)
        {
            throw await ReplayedAsync(command.TenantId, stream, null, cancellationToken).ConfigureAwait(false);
        }

        // Every check before anything is written: a refused redemption leaves no family behind.
        AuthorizationCode.Redeem(code, command.ClientId, command.RedirectUri, command.CodeVerifier, null, now);
        var session = await GrantWrites.RequireActiveSessionAsync(aggregates, command.TenantId, code.SessionId, now, cancellationToken).ConfigureAwait(false);
        await GrantWrites.RequireUserWhoCanSignInAsync(aggregates, command.TenantId, session.UserId, cancellationToken).ConfigureAwait(false);

        StartedRefreshFamily? family = null;
        if (command.IssueRefreshToken)
        {
            family = await GrantWrites.StartFamilyAsync(
                aggregates, command.TenantId, GrantSecrets.NewId(), session, code.ClientId, code.Scope, command.RefreshLifetime, now, cancellationToken).ConfigureAwait(false);
        }

        Decided<AuthorizationCodeState>? redeemed;
        try
        {
            redeemed = await aggregates.TryDecideOnceAsync(
                Aggregates.AuthorizationCode,
                command.TenantId,
                stream,
                s => AuthorizationCode.Redeem(s, command.ClientId, command.RedirectUri, command.CodeVerifier, family?.FamilyId, now),
                cancellationToken).ConfigureAwait(false);
        }
        catch (DomainException ex) when (ex.Code == DomainErrors.CodeAlreadyRedeemed)
        {
            redeemed = null;
        }

        if (redeemed is null)
        {
            throw await ReplayedAsync(command.TenantId, stream, family?.FamilyId, cancellationToken).ConfigureAwait(false);
        }

        return new RedeemedAuthorizationCode(
            code.ClientId, code.UserId, code.SessionId, code.Scope, code.Nonce, code.AuthTime, code.AuthMethods, code.Acr,
            family?.FamilyId, family?.RefreshToken, family?.ExpiresAt);
    }

    private async Task<DomainException> ReplayedAsync(string tenantId, string stream, string? ownFamilyId, CancellationToken ct)
    {
        if (ownFamilyId is not null)
        {
            await GrantWrites.RevokeFamilyAsync(aggregates, tenantId, ownFamilyId, RefreshRevokeReasons.CodeReuse, ct).ConfigureAwait(false);
        }

        var detected = await aggregates.DecideAsync(Aggregates.AuthorizationCode, tenantId, stream, AuthorizationCode.DetectReuse, ct).ConfigureAwait(false);
        if (detected.State.RefreshFamilyId is { } familyId)
        {
            await GrantWrites.RevokeFamilyAsync(aggregates, tenantId, familyId, RefreshRevokeReasons.CodeReuse, ct).ConfigureAwait(false);
        }

        return new DomainException(DomainErrors.CodeAlreadyRedeemed, "The authorization code was already used.");
    }
}
