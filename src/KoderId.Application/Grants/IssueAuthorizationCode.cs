using KoderId.Application.Common;
using KoderId.Domain.Grants;
using Mediator;

namespace KoderId.Application.Grants;

/// <summary>
/// The authorize endpoint's result, after it validated the client, the redirect URI and the scope: a code on an
/// active session (which gives the user, amr, acr and auth_time).
/// </summary>
/// <param name="Lifetime">60 seconds when null.</param>
public sealed record IssueAuthorizationCode(
    string TenantId,
    string ClientId,
    string RedirectUri,
    string Scope,
    string SessionId,
    string? Nonce = null,
    string? CodeChallenge = null,
    string? CodeChallengeMethod = null,
    TimeSpan? Lifetime = null) : ICommand<IssuedAuthorizationCode>;

/// <summary><paramref name="Code"/> is 256 random bits in base64url: sent once in the redirect, never stored or logged.</summary>
public sealed record IssuedAuthorizationCode(string Code, DateTimeOffset ExpiresAt);

public sealed class IssueAuthorizationCodeHandler(AggregateStore aggregates, IClock clock) : ICommandHandler<IssueAuthorizationCode, IssuedAuthorizationCode>
{
    public async ValueTask<IssuedAuthorizationCode> Handle(IssueAuthorizationCode command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireActiveTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        var now = clock.UtcNow;
        var session = await GrantWrites.RequireActiveSessionAsync(aggregates, command.TenantId, command.SessionId, now, cancellationToken).ConfigureAwait(false);
        await GrantWrites.RequireUserWhoCanSignInAsync(aggregates, command.TenantId, session.UserId, cancellationToken).ConfigureAwait(false);
        var code = GrantSecrets.NewSecret();
        var hash = GrantSecrets.Hash(code);
        var expiresAt = now + (command.Lifetime is { } l && l > TimeSpan.Zero ? l : AuthorizationCode.DefaultLifetime);
        await aggregates.DecideAsync(
            Aggregates.AuthorizationCode,
            command.TenantId,
            StreamNames.AuthorizationCode(command.TenantId, hash),
            s => AuthorizationCode.Issue(s, hash, command.ClientId, command.RedirectUri, command.Scope, session.SessionId, session.UserId, session.AuthTime,
                session.AuthMethods, session.Acr, command.Nonce, command.CodeChallenge, command.CodeChallengeMethod, expiresAt, now),
            cancellationToken).ConfigureAwait(false);
        return new IssuedAuthorizationCode(code, expiresAt);
    }
}
