using System.Collections.Immutable;
using KoderId.Events.Grants;

namespace KoderId.Domain.Grants;

public sealed record AuthorizationCodeState(
    string CodeHash,
    string ClientId,
    string RedirectUri,
    string Scope,
    string? Nonce,
    string? CodeChallenge,
    string SessionId,
    string UserId,
    DateTimeOffset AuthTime,
    ImmutableArray<string> AuthMethods,
    string? Acr,
    DateTimeOffset ExpiresAt,
    bool Issued,
    bool Redeemed,
    string? RefreshFamilyId,
    bool ReuseDetected)
{
    public static readonly AuthorizationCodeState Initial = new("", "", "", "", null, null, "", "", default, [], null, default, false, false, null, false);
}

/// <summary>
/// Decisions on an authorization code (ADR 0004, <c>code-{tenant}-{sha256(code)}</c>). Single use is the
/// store's: <see cref="Redeem"/> is appended with <c>ExpectedVersion.Exact(1)</c> by the caller. A code
/// presented again after its redemption is a replay (RFC 6749 §4.1.2, RFC 9700 §4.5): <see cref="DetectReuse"/>
/// records it once and names the refresh family to revoke.
/// </summary>
public static class AuthorizationCode
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(60);

    public static AuthorizationCodeState Evolve(AuthorizationCodeState state, object @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        return @event switch
        {
            AuthorizationCodeIssued e => state with
            {
                CodeHash = e.CodeHash, ClientId = e.ClientId, RedirectUri = e.RedirectUri, Scope = e.Scope, Nonce = e.Nonce,
                CodeChallenge = e.CodeChallenge, SessionId = e.SessionId, UserId = e.UserId, AuthTime = e.AuthTime,
                AuthMethods = [.. e.AuthMethods], Acr = e.Acr, ExpiresAt = e.ExpiresAt, Issued = true,
            },
            AuthorizationCodeRedeemed e => state with { Redeemed = true, RefreshFamilyId = e.RefreshFamilyId },
            AuthorizationCodeReuseDetected => state with { ReuseDetected = true },
            _ => state,
        };
    }

    /// <param name="codeChallengeMethod">Only <c>S256</c>; a challenge without a method is <c>plain</c> by RFC 7636 §4.3 and refused too.</param>
    public static IReadOnlyList<object> Issue(
        AuthorizationCodeState state,
        string codeHash,
        string clientId,
        string redirectUri,
        string scope,
        string sessionId,
        string userId,
        DateTimeOffset authTime,
        IReadOnlyList<string>? authMethods,
        string? acr,
        string? nonce,
        string? codeChallenge,
        string? codeChallengeMethod,
        DateTimeOffset expiresAt,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Issued)
        {
            throw new DomainException(DomainErrors.CodeInvalidRequest, "This code was already issued.");
        }

        if (string.IsNullOrWhiteSpace(clientId) || string.IsNullOrWhiteSpace(redirectUri) || string.IsNullOrWhiteSpace(sessionId)
            || !Names.IsValidId(userId) || authMethods is null || authMethods.Count == 0 || scope is null)
        {
            throw new DomainException(DomainErrors.CodeInvalidRequest, "A code needs a client, a redirect URI, a scope, a session, a user and its amr.");
        }

        if (expiresAt <= now || authTime > now)
        {
            throw new DomainException(DomainErrors.CodeInvalidRequest, "A code expires after now and its user authenticated before now.");
        }

        if (codeChallenge is null ? codeChallengeMethod is not null
            : !string.Equals(codeChallengeMethod, Pkce.S256, StringComparison.Ordinal) || !Pkce.IsValidChallenge(codeChallenge))
        {
            throw new DomainException(DomainErrors.CodeInvalidChallenge, "code_challenge_method must be S256 with a 43-character base64url code_challenge.");
        }

        return
        [
            new AuthorizationCodeIssued(codeHash, clientId, redirectUri, scope, sessionId, userId, authTime, [.. authMethods], expiresAt,
                string.IsNullOrEmpty(nonce) ? null : nonce, codeChallenge, codeChallenge is null ? null : Pkce.S256, string.IsNullOrEmpty(acr) ? null : acr),
        ];
    }

    /// <summary>
    /// The checks of RFC 6749 §4.1.3 and RFC 7636 §4.6, each with its own code (the token endpoint answers all
    /// of them <c>invalid_grant</c>). A verifier sent for a code issued without a challenge is refused: that is
    /// the PKCE downgrade of RFC 9700 §2.1.1.
    /// </summary>
    /// <param name="refreshFamilyId">The family this redemption starts, recorded so a replay can revoke it.</param>
    public static IReadOnlyList<object> Redeem(
        AuthorizationCodeState state, string clientId, string redirectUri, string? codeVerifier, string? refreshFamilyId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Issued)
        {
            throw new DomainException(DomainErrors.CodeNotFound, "The authorization code is not valid.");
        }

        if (state.Redeemed)
        {
            throw new DomainException(DomainErrors.CodeAlreadyRedeemed, "The authorization code was already used.");
        }

        if (now >= state.ExpiresAt)
        {
            throw new DomainException(DomainErrors.CodeExpired, "The authorization code has expired.");
        }

        if (!string.Equals(clientId, state.ClientId, StringComparison.Ordinal))
        {
            throw new DomainException(DomainErrors.CodeClientMismatch, "The authorization code was issued to another client.");
        }

        if (!string.Equals(redirectUri, state.RedirectUri, StringComparison.Ordinal))
        {
            throw new DomainException(DomainErrors.CodeRedirectUriMismatch, "The redirect_uri differs from the authorization request's.");
        }

        var pkce = state.CodeChallenge is null ? codeVerifier is null : Pkce.Verify(codeVerifier, state.CodeChallenge);
        if (!pkce)
        {
            throw new DomainException(DomainErrors.CodePkceFailed, "The code_verifier does not match the code_challenge.");
        }

        return [new AuthorizationCodeRedeemed(state.CodeHash, state.ClientId, state.SessionId, state.UserId, refreshFamilyId)];
    }

    /// <summary>A redeemed code presented again: recorded once (later replays append nothing, so the log stays bounded).</summary>
    public static IReadOnlyList<object> DetectReuse(AuthorizationCodeState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return !state.Redeemed || state.ReuseDetected
            ? []
            : [new AuthorizationCodeReuseDetected(state.CodeHash, state.ClientId, state.SessionId, state.UserId, state.RefreshFamilyId)];
    }
}
