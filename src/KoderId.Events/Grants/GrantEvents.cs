using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Grants;

// ADR 0004, "Streams and events". Codes live on code-{tenant}-{CodeHash}, refresh families on
// refresh-{tenant}-{FamilyId}. Codes and refresh tokens are random 256-bit values: only their base64url
// SHA-256 (no padding) is in the log. Each event names its session and user so the read models (sessions'
// "last used", refresh_families) follow without looking anything up.

/// <param name="CodeHash">base64url SHA-256 of the code: also the stream's id part.</param>
/// <param name="Scope">Granted scopes, space separated (RFC 6749 §3.3).</param>
/// <param name="AuthMethods">RFC 8176 <c>amr</c> of the session's authentication.</param>
/// <param name="CodeChallenge">RFC 7636 challenge; null only when the client's policy does not require PKCE.</param>
/// <param name="CodeChallengeMethod"><c>S256</c> (the only method accepted) or null with no challenge.</param>
[EventType("grant.code-issued.v1")]
public sealed record AuthorizationCodeIssued(
    string CodeHash,
    string ClientId,
    string RedirectUri,
    string Scope,
    string SessionId,
    [property: DataSubject] string UserId,
    DateTimeOffset AuthTime,
    IReadOnlyList<string> AuthMethods,
    DateTimeOffset ExpiresAt,
    string? Nonce = null,
    string? CodeChallenge = null,
    string? CodeChallengeMethod = null,
    string? Acr = null)
{
    public bool Equals(AuthorizationCodeIssued? other) =>
        other is not null && CodeHash == other.CodeHash && ClientId == other.ClientId && RedirectUri == other.RedirectUri
        && Scope == other.Scope && SessionId == other.SessionId && UserId == other.UserId && AuthTime == other.AuthTime
        && AuthMethods.SequenceEqual(other.AuthMethods) && ExpiresAt == other.ExpiresAt && Nonce == other.Nonce
        && CodeChallenge == other.CodeChallenge && CodeChallengeMethod == other.CodeChallengeMethod && Acr == other.Acr;

    public override int GetHashCode() => HashCode.Combine(CodeHash, ClientId, SessionId, ExpiresAt);
}

/// <summary>Appended with <c>ExpectedVersion.Exact(1)</c>: of two redemptions exactly one appends.</summary>
/// <param name="RefreshFamilyId">The refresh family the redemption started, if the grant included one.</param>
[EventType("grant.code-redeemed.v1")]
public sealed record AuthorizationCodeRedeemed(
    string CodeHash,
    string ClientId,
    string SessionId,
    [property: DataSubject] string UserId,
    string? RefreshFamilyId = null);

/// <summary>A security event: a redeemed code was presented again; what its first redemption started is revoked.</summary>
/// <param name="RevokedFamilyId">The refresh family revoked because of it, if the first redemption started one.</param>
[EventType("grant.code-reuse-detected.v1")]
public sealed record AuthorizationCodeReuseDetected(
    string CodeHash,
    string ClientId,
    string SessionId,
    [property: DataSubject] string UserId,
    string? RevokedFamilyId = null);

/// <param name="TokenHash">base64url SHA-256 of the secret part of the generation-1 token <c>{FamilyId}.{secret}</c>.</param>
[EventType("grant.refresh-family-started.v1")]
public sealed record RefreshFamilyStarted(
    string FamilyId,
    string SessionId,
    string ClientId,
    [property: DataSubject] string UserId,
    string Scope,
    DateTimeOffset AuthTime,
    IReadOnlyList<string> AuthMethods,
    string TokenHash,
    DateTimeOffset ExpiresAt,
    string? Acr = null)
{
    public bool Equals(RefreshFamilyStarted? other) =>
        other is not null && FamilyId == other.FamilyId && SessionId == other.SessionId && ClientId == other.ClientId
        && UserId == other.UserId && Scope == other.Scope && AuthTime == other.AuthTime && AuthMethods.SequenceEqual(other.AuthMethods)
        && TokenHash == other.TokenHash && ExpiresAt == other.ExpiresAt && Acr == other.Acr;

    public override int GetHashCode() => HashCode.Combine(FamilyId, SessionId, ClientId, TokenHash, ExpiresAt);
}

/// <summary>Appended with the version read: parallel refreshes of one token give exactly one rotation.</summary>
/// <param name="Generation">The new current generation (2 for the first rotation).</param>
[EventType("grant.refresh-token-rotated.v1")]
public sealed record RefreshTokenRotated(
    string FamilyId,
    string SessionId,
    [property: DataSubject] string UserId,
    int Generation,
    string TokenHash);

/// <param name="Reason"><c>revoked</c> (RFC 7009), <c>logout</c>, <c>reuse-detected</c>, <c>code-reuse</c>, <c>session-revoked</c>, <c>security</c>.</param>
[EventType("grant.refresh-family-revoked.v1")]
public sealed record RefreshFamilyRevoked(
    string FamilyId,
    string SessionId,
    [property: DataSubject] string UserId,
    string Reason);

/// <summary>A security event: a rotated-out generation was presented after its rotation committed (a replay).</summary>
[EventType("grant.refresh-token-reuse-detected.v1")]
public sealed record RefreshTokenReuseDetected(
    string FamilyId,
    string SessionId,
    [property: DataSubject] string UserId,
    int PresentedGeneration,
    int CurrentGeneration);

/// <summary>
/// RFC 7009 revocation of an access token that has no refresh family (client_credentials, or a grant without
/// offline access): introspection and userinfo refuse its <c>jti</c> until <paramref name="ExpiresAt"/>, after
/// which the token is refused for its <c>exp</c> alone and the read model forgets it.
/// </summary>
/// <param name="Jti">The token's <c>jti</c> (also the stream's id part: <c>access-token-{tenant}-{jti}</c>).</param>
/// <param name="ClientId">The client the token was issued to (the one that revoked it).</param>
/// <param name="ExpiresAt">The token's <c>exp</c>.</param>
/// <param name="SessionId">The token's <c>sid</c>, for a user token.</param>
[EventType("grant.access-token-revoked.v1")]
public sealed record AccessTokenRevoked(
    string Jti,
    string ClientId,
    DateTimeOffset ExpiresAt,
    string? SessionId = null);
