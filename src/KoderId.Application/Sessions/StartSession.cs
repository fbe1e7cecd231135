using KoderId.Application.Common;
using KoderId.Application.Grants;
using KoderId.Domain;
using KoderId.Domain.Sessions;
using KoderId.Domain.Users;
using Mediator;

namespace KoderId.Application.Sessions;

/// <param name="AuthMethods">RFC 8176 <c>amr</c> of the authentication that just succeeded.</param>
/// <param name="AuthTime">When the user authenticated; now when null.</param>
/// <param name="Lifetime">How long the SSO session lasts; <see cref="StartSessionHandler.DefaultLifetime"/> when null.</param>
public sealed record StartSession(
    string TenantId,
    string UserId,
    IReadOnlyList<string> AuthMethods,
    string? Acr = null,
    DateTimeOffset? AuthTime = null,
    TimeSpan? Lifetime = null) : ICommand<StartedSession>;

/// <summary><paramref name="Cookie"/> is <c>{sid}.{secret}</c> for the SSO cookie: shown this once, never stored or logged.</summary>
public sealed record StartedSession(string SessionId, string Cookie, DateTimeOffset ExpiresAt, long Version);

/// <summary>
/// A sign-in succeeded: a new SSO session for a user who can sign in (KID1011 unknown or another tenant's,
/// KID1016 disabled) in an active tenant. The client IP and user agent come from the request's context.
/// </summary>
public sealed class StartSessionHandler(AggregateStore aggregates, RequestContext context, IClock clock) : ICommandHandler<StartSession, StartedSession>
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(14);

    public async ValueTask<StartedSession> Handle(StartSession command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await aggregates.RequireActiveTenantAsync(command.TenantId, cancellationToken).ConfigureAwait(false);
        if (!User.IsValidUserId(command.UserId))
        {
            throw new DomainException(DomainErrors.UserNotFound, "The user does not exist.");
        }

        var user = (await aggregates.LoadAsync(Aggregates.User, command.TenantId, StreamNames.User(command.TenantId, command.UserId), cancellationToken).ConfigureAwait(false)).State;
        if (!User.CanSignIn(user))
        {
            throw user.Status == UserStatus.Disabled
                ? new DomainException(DomainErrors.UserDisabled, "The user is disabled.")
                : new DomainException(DomainErrors.UserNotFound, "The user does not exist.");
        }

        var now = clock.UtcNow;
        var sessionId = GrantSecrets.NewId();
        var secret = GrantSecrets.NewSecret();
        var expiresAt = now + (command.Lifetime is { } lifetime && lifetime > TimeSpan.Zero ? lifetime : DefaultLifetime);
        var decided = await aggregates.DecideAsync(
            Aggregates.Session,
            command.TenantId,
            StreamNames.Session(command.TenantId, sessionId),
            s => Session.Start(s, sessionId, command.UserId, command.AuthMethods, command.Acr, command.AuthTime ?? now, expiresAt,
                GrantSecrets.Hash(secret), now, context.ClientIp, Truncate(context.UserAgent)),
            cancellationToken).ConfigureAwait(false);
        return new StartedSession(sessionId, SessionCookie.Format(sessionId, secret), expiresAt, decided.Version);
    }

    // The schema bounds the user agent at 1,024 characters; a longer header is kept as its start.
    private static string? Truncate(string? userAgent) => userAgent is { Length: > 1024 } ? userAgent[..1024] : userAgent;
}
