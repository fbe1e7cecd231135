using KoderId.Application.Flows;
using KoderId.Application.Grants;
using KoderId.Application.Sessions;
using KoderId.Oidc.Authorize;
using KoderId.Projections.Sessions;
using KoderId.Projections.Users;
using Mediator;

namespace KoderId.Oidc.Sessions;

/// <summary>The SSO sessions port over the session commands and the sessions and users read models.</summary>
public sealed class SsoSessions(SessionDirectory directory, UserDirectory users, FlowGuard guard, ISender sender, TimeProvider time) : ISsoSessions
{
    public async ValueTask<SsoSession?> FindAsync(string tenantId, string cookieValue, CancellationToken ct)
    {
        if (await FindToEndAsync(tenantId, cookieValue, ct).ConfigureAwait(false) is not { } session)
        {
            return null;
        }

        // ADR 0008: the session is only as good as its user now. The status comes from the inline users model; the
        // lock from the user's stream, as every other authentication path reads it (ADR 0006).
        if (await users.GetAsync(tenantId, session.UserId, ct).ConfigureAwait(false) is not { Status: UserStatus.Active })
        {
            return null;
        }

        return await guard.IsLockedAsync(tenantId, session.UserId, ct).ConfigureAwait(false) ? null : session;
    }

    public async ValueTask<SsoSession?> FindToEndAsync(string tenantId, string cookieValue, CancellationToken ct)
    {
        if (!SessionCookie.TryParse(cookieValue, out var sessionId, out var secret))
        {
            return null;
        }

        var view = await directory.ValidateAsync(tenantId, sessionId, secret, time.GetUtcNow(), ct).ConfigureAwait(false);
        return view is null ? null : new SsoSession(view.SessionId, view.UserId, view.AuthTime, view.AuthMethods, view.Acr ?? "", view.ExpiresAt);
    }

    public async ValueTask<(SsoSession Session, string CookieValue)> StartAsync(
        string tenantId, string userId, IReadOnlyList<string> authMethods, string acr, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var started = await sender.Send(new StartSession(tenantId, userId, authMethods, acr, now), ct).ConfigureAwait(false);
        return (new SsoSession(started.SessionId, userId, now, authMethods, acr, started.ExpiresAt), started.Cookie);
    }

    public async ValueTask RevokeAsync(string tenantId, string sessionId, string reason, CancellationToken ct) =>
        await sender.Send(new RevokeSession(tenantId, sessionId, reason), ct).ConfigureAwait(false);
}
