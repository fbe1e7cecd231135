using KoderId.Application.Common;
using KoderId.Domain.Grants;
using Mediator;

namespace KoderId.Application.Grants;

/// <summary>
/// RFC 7009 revocation of an access token that names no refresh family: its <c>jti</c> is recorded until its
/// <c>exp</c>. The caller (the revocation endpoint) has verified the token and that it belongs to the client.
/// </summary>
public sealed record RevokeAccessToken(string TenantId, string Jti, string ClientId, DateTimeOffset ExpiresAt, string? SessionId) : ICommand<CommandResult>;

/// <summary>Allowed in a blocked tenant (taking access away must always work); revoking twice, or an expired token, appends nothing.</summary>
public sealed class RevokeAccessTokenHandler(AggregateStore aggregates, IClock clock) : ICommandHandler<RevokeAccessToken, CommandResult>
{
    public async ValueTask<CommandResult> Handle(RevokeAccessToken command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.LoadTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        var now = clock.UtcNow;
        var decided = await aggregates.DecideAsync(
            Aggregates.AccessToken,
            command.TenantId,
            StreamNames.AccessToken(command.TenantId, AccessTokenRevocation.IsJti(command.Jti) ? command.Jti : "invalid"),
            s => AccessTokenRevocation.Revoke(s, command.Jti, command.ClientId, command.ExpiresAt, command.SessionId, now),
            cancellationToken).ConfigureAwait(false);
        return new CommandResult(command.Jti, decided.Version, decided.Changed);
    }
}
