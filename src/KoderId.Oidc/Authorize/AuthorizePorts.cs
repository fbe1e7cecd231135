namespace KoderId.Oidc.Authorize;

/// <summary>A signed-in browser session (the SSO cookie's session), as the authorize endpoint sees it.</summary>
public sealed record SsoSession(
    string SessionId,
    string UserId,
    DateTimeOffset AuthTime,
    IReadOnlyList<string> AuthMethods,
    string Acr,
    DateTimeOffset ExpiresAt);

/// <summary>Port: SSO sessions behind the cookie. The cookie value is a bearer secret; only its hash is stored.</summary>
public interface ISsoSessions
{
    /// <summary>
    /// The active session the cookie value proves, of a user who may sign in now; null when the session is unknown,
    /// revoked, expired or another tenant's, and when its user is disabled, deleted, erased or locked out (ADR 0008:
    /// the user is re-checked on every use, so a revocation that has not happened yet changes nothing).
    /// </summary>
    ValueTask<SsoSession?> FindAsync(string tenantId, string cookieValue, CancellationToken ct);

    /// <summary>
    /// The active session the cookie value proves whatever its user's state: only to end it (sign-out, a new sign-in
    /// replacing it), never to act as its user. A locked-out user can still sign out.
    /// </summary>
    ValueTask<SsoSession?> FindToEndAsync(string tenantId, string cookieValue, CancellationToken ct);

    /// <summary>Starts a session for a user who just authenticated; returns it and the cookie value to set.</summary>
    ValueTask<(SsoSession Session, string CookieValue)> StartAsync(string tenantId, string userId, IReadOnlyList<string> authMethods, string acr, CancellationToken ct);

    /// <summary>Ends the session (logout); a no-op for an unknown or ended one.</summary>
    ValueTask RevokeAsync(string tenantId, string sessionId, string reason, CancellationToken ct);
}

/// <summary>Port: issues the single-use authorization code for a validated request and a session.</summary>
public interface IAuthorizationCodeIssuer
{
    ValueTask<string> IssueAsync(ValidatedAuthorizeRequest request, SsoSession session, CancellationToken ct);
}

/// <summary>Port: checks a username-or-email and password in a tenant; null for any failure, told apart by nothing.</summary>
public interface IPasswordLogin
{
    ValueTask<string?> AuthenticateAsync(string tenantId, string usernameOrEmail, string password, CancellationToken ct);
}
