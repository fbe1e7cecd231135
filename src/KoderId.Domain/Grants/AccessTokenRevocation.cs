using KoderId.Events.Grants;

namespace KoderId.Domain.Grants;

/// <summary>An access token without a refresh family, revoked by <c>jti</c> (RFC 7009): the stream <c>access-token-{tenant}-{jti}</c>.</summary>
public sealed record AccessTokenRevocationState(bool Revoked)
{
    public static readonly AccessTokenRevocationState Initial = new(false);
}

public static class AccessTokenRevocation
{
    /// <summary>A <c>jti</c> as we mint them (22 base64url characters); anything up to 64 of that alphabet is accepted.</summary>
    public static bool IsJti(string? jti) =>
        jti is { Length: > 0 and <= 64 } && jti.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');

    public static AccessTokenRevocationState Evolve(AccessTokenRevocationState state, object @event) =>
        @event is AccessTokenRevoked ? new AccessTokenRevocationState(true) : state;

    /// <summary>Revoking twice, or a token already expired at <paramref name="now"/>, appends nothing.</summary>
    public static IReadOnlyList<object> Revoke(
        AccessTokenRevocationState state, string jti, string clientId, DateTimeOffset expiresAt, string? sessionId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!IsJti(jti) || string.IsNullOrEmpty(clientId))
        {
            throw new DomainException(DomainErrors.RefreshInvalidRequest, "An access token revocation needs a jti and a client.");
        }

        return state.Revoked || expiresAt <= now ? [] : [new AccessTokenRevoked(jti, clientId, expiresAt, sessionId)];
    }
}
