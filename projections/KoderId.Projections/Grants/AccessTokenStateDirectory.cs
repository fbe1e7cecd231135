using KoderId.EventSourcing.Projections;
using KoderId.Projections.Sessions;
using KoderId.Projections.Users;

namespace KoderId.Projections.Grants;

/// <summary>What an access token depends on, as the read models hold it now (ADR 0004, "hot paths append nothing").</summary>
/// <param name="SessionUserId">The user of the token's session when that session is active; null when revoked, expired, unknown or none asked.</param>
/// <param name="FamilyActive">The token's refresh family is active (false when none was asked).</param>
/// <param name="JtiRevoked">The token's <c>jti</c> was revoked (RFC 7009).</param>
/// <param name="UserStatus">The subject's status as a user; null when the subject is not a user of the tenant.</param>
/// <param name="Username">The user's username, when it has one.</param>
public sealed record AccessTokenState(string? SessionUserId, bool FamilyActive, bool JtiRevoked, UserStatus? UserStatus, string? Username);

/// <summary>
/// The introspection/userinfo hot path's one read: the session, the refresh family, the revoked-jti entry and
/// the user, each a primary-key lookup, in one statement (one connection and round trip instead of four).
/// Every lookup is scoped to the tenant.
/// </summary>
public sealed class AccessTokenStateDirectory(IReadModelStore store)
{
    private readonly string _sql = $"""
        SELECT
            (SELECT s.user_id FROM {ReadModelSql.LiveTable(SessionsProjection.TableName, SessionsProjection.CurrentVersion)} s
                WHERE s.tenant_id = @tenant AND s.session_id = @sid AND s.revoked_at IS NULL AND s.expires_at > @now),
            (SELECT COUNT(*) FROM {ReadModelSql.LiveTable(RefreshFamiliesProjection.TableName, RefreshFamiliesProjection.CurrentVersion)} f
                WHERE f.tenant_id = @tenant AND f.family_id = @family AND f.revoked_at IS NULL AND f.expires_at > @now),
            (SELECT COUNT(*) FROM {ReadModelSql.LiveTable(RevokedAccessTokensProjection.TableName, RevokedAccessTokensProjection.CurrentVersion)} j
                WHERE j.tenant_id = @tenant AND j.jti = @jti),
            (SELECT u.status FROM {ReadModelSql.LiveTable(UsersProjection.TableName, UsersProjection.CurrentVersion)} u
                WHERE u.tenant_id = @tenant AND u.user_id = @user),
            (SELECT u.username FROM {ReadModelSql.LiveTable(UsersProjection.TableName, UsersProjection.CurrentVersion)} u
                WHERE u.tenant_id = @tenant AND u.user_id = @user)
        """;

    /// <param name="sessionId">The token's <c>sid</c>, or null for a client's own token.</param>
    /// <param name="familyId">The token's <c>rfid</c>, or null.</param>
    /// <param name="jti">The token's <c>jti</c>, or null.</param>
    /// <param name="userId">The subject, looked up as a user (a client's token names its client: no user row).</param>
    public async Task<AccessTokenState> GetAsync(
        string tenantId, string? sessionId, string? familyId, string? jti, string userId, DateTimeOffset now, CancellationToken ct = default)
    {
        var rows = await ReadModelSql.QueryAsync(store, _sql, r => new AccessTokenState(
                r.Text(0),
                !r.IsDBNull(1) && r.Long(1) > 0,
                !r.IsDBNull(2) && r.Long(2) > 0,
                r.IsDBNull(3) ? null : Status(r.GetString(3)),
                r.Text(4)),
            ct,
            ("@tenant", tenantId),
            ("@sid", sessionId ?? ""),
            ("@family", familyId ?? ""),
            ("@jti", jti ?? ""),
            ("@user", userId),
            ("@now", ReadModelSql.Micros(now))).ConfigureAwait(false);
        return rows.Single();
    }

    private static UserStatus? Status(string value) => value switch
    {
        "active" => Users.UserStatus.Active,
        "disabled" => Users.UserStatus.Disabled,
        "deleted" => Users.UserStatus.Deleted,
        "erased" => Users.UserStatus.Erased,
        _ => null,
    };
}
