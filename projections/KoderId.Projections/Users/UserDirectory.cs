using System.Data.Common;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.Users;

public enum UserStatus
{
    Active,
    Disabled,
    Deleted,
    Erased,
}

public sealed record UserView(
    string TenantId,
    string UserId,
    string? Username,
    string? Email,
    bool EmailVerified,
    string? GivenName,
    string? FamilyName,
    string? DisplayName,
    string? Phone,
    string? PreferredLanguage,
    UserStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long Version);

/// <summary>Filters of <see cref="UserDirectory.ListAsync(string, UserFilter, string?, int, CancellationToken)"/>; every one is optional.</summary>
/// <param name="Group">Members of this group (a group of another tenant, or none, matches no one).</param>
public sealed record UserFilter(string? Username = null, string? Email = null, UserStatus? Status = null, string? Group = null);

/// <summary>Reads the <c>users</c> model. Every query is scoped to one tenant.</summary>
public sealed class UserDirectory(IReadModelStore store, int version = UsersProjection.CurrentVersion)
{
    private const string Columns = "tenant_id, user_id, username, email, email_verified, given_name, family_name, display_name, phone, preferred_language, status, created_at, updated_at, version";
    private readonly string _table = ReadModelSql.LiveTable(UsersProjection.TableName, version);
    private readonly string _members = ReadModelSql.LiveTable(Groups.GroupsProjection.MembersTableName, Groups.GroupsProjection.CurrentVersion);

    public async Task<UserView?> GetAsync(string tenantId, string userId, CancellationToken ct = default) =>
        (await ReadModelSql.QueryAsync(store, $"SELECT {Columns} FROM {_table} WHERE tenant_id = @tenant AND user_id = @user", Map, ct,
            ("@tenant", tenantId), ("@user", userId)).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>The user holding the username now (case-insensitive); deleted and erased users have released theirs.</summary>
    public async Task<UserView?> FindByUsernameAsync(string tenantId, string username, CancellationToken ct = default) =>
        (await ReadModelSql.QueryAsync(store,
            $"SELECT {Columns} FROM {_table} WHERE tenant_id = @tenant AND username_key = @key AND status IN ('active', 'disabled') ORDER BY user_id",
            Map, ct, ("@tenant", tenantId), ("@key", UsersProjection.Key(username))).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>Live users with the address (case-insensitive). Email is not unique, so this is a list.</summary>
    public async Task<IReadOnlyList<UserView>> FindByEmailAsync(string tenantId, string email, CancellationToken ct = default) =>
        await ReadModelSql.QueryAsync(store,
            $"SELECT {Columns} FROM {_table} WHERE tenant_id = @tenant AND email_key = @key AND status IN ('active', 'disabled') ORDER BY user_id",
            Map, ct, ("@tenant", tenantId), ("@key", UsersProjection.Key(email))).ConfigureAwait(false);

    /// <summary>A page of the tenant's users in id order, after <paramref name="afterUserId"/> (keyset paging).</summary>
    public async Task<IReadOnlyList<UserView>> ListAsync(string tenantId, string? afterUserId = null, int limit = 100, CancellationToken ct = default) =>
        await ReadModelSql.QueryAsync(store,
            $"SELECT {Columns} FROM {_table} WHERE tenant_id = @tenant AND user_id > @after ORDER BY user_id LIMIT @limit",
            Map, ct, ("@tenant", tenantId), ("@after", afterUserId ?? ""), ("@limit", Math.Clamp(limit, 1, 1000))).ConfigureAwait(false);

    /// <summary>
    /// A page of the tenant's users in id order matching every filter given (username and email
    /// case-insensitive, as the model keys them); keyset paging after <paramref name="afterUserId"/>.
    /// </summary>
    public async Task<IReadOnlyList<UserView>> ListAsync(
        string tenantId, UserFilter filter, string? afterUserId = null, int limit = 100, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);

        // Only the filters given become SQL: PostgreSQL cannot type a null parameter in "@x IS NULL OR ...".
        var sql = new System.Text.StringBuilder($"SELECT {Columns} FROM {_table} WHERE tenant_id = @tenant AND user_id > @after");
        var args = new List<(string, object?)> { ("@tenant", tenantId), ("@after", afterUserId ?? "") };
        if (filter.Username is not null)
        {
            sql.Append(" AND username_key = @username");
            args.Add(("@username", UsersProjection.Key(filter.Username)));
        }

        if (filter.Email is not null)
        {
            sql.Append(" AND email_key = @email");
            args.Add(("@email", UsersProjection.Key(filter.Email)));
        }

        if (filter.Status is { } status)
        {
            sql.Append(" AND status = @status");
            args.Add(("@status", status.ToString().ToLowerInvariant()));
        }

        if (filter.Group is not null)
        {
            // The groups model is a sibling read model of this project, kept inline like this one.
            sql.Append($" AND user_id IN (SELECT user_id FROM {_members} WHERE tenant_id = @tenant AND group_id = @group)");
            args.Add(("@group", filter.Group));
        }

        sql.Append(" ORDER BY user_id LIMIT @limit");
        args.Add(("@limit", Math.Clamp(limit, 1, 1000)));
        return await ReadModelSql.QueryAsync(store, sql.ToString(), Map, ct, [.. args]).ConfigureAwait(false);
    }

    private static UserView Map(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.Text(2),
        r.Text(3),
        r.Bool(4),
        r.Text(5),
        r.Text(6),
        r.Text(7),
        r.Text(8),
        r.Text(9),
        r.GetString(10) switch
        {
            "active" => UserStatus.Active,
            "disabled" => UserStatus.Disabled,
            "deleted" => UserStatus.Deleted,
            "erased" => UserStatus.Erased,
            var other => throw new InvalidOperationException($"Unknown user status '{other}' in the users model."),
        },
        r.Time(11),
        r.Time(12),
        r.Long(13));
}
