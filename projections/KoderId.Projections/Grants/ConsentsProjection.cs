using KoderId.Events.Grants;
using KoderId.Events.Users;
using KoderId.EventSourcing.Projections;

namespace KoderId.Projections.Grants;

/// <summary>
/// The scopes each user approved for each third-party client, inline: the authorize endpoint asks right after
/// the consent page wrote. An erased user's consents go with the account.
/// </summary>
public sealed class ConsentsProjection : SqlProjection
{
    public const string ProjectionName = "consents";
    public const string TableName = "consents";
    public const int CurrentVersion = 1;

    public ConsentsProjection()
        : base(ProjectionName, CurrentVersion, ProjectionLifecycle.Inline, TableName)
    {
        On<ConsentGiven>((ctx, e, s, ct) => ctx.WriteAsync(
            $"""
            INSERT INTO {ctx.Table(TableName)} (tenant_id, user_id, client_id, scopes, given_at, version)
            VALUES (@tenant, @user, @client, @scopes, @at, @version)
            ON CONFLICT (tenant_id, user_id, client_id) DO UPDATE SET scopes = excluded.scopes, given_at = excluded.given_at, version = excluded.version
            """,
            ct,
            ("@tenant", s.TenantId),
            ("@user", e.UserId),
            ("@client", e.ClientId),
            ("@scopes", string.Join(' ', e.Scopes)),
            ("@at", ReadModelSql.Micros(s.Metadata.Timestamp)),
            ("@version", s.StreamVersion)));

        On<UserErased>((ctx, e, s, ct) => ctx.WriteAsync(
            $"DELETE FROM {ctx.Table(TableName)} WHERE tenant_id = @tenant AND user_id = @user",
            ct,
            ("@tenant", s.TenantId),
            ("@user", e.UserId)));
    }

    public override async Task CreateAsync(ProjectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.ExecuteAsync(
            $"""
            CREATE TABLE {context.Table(TableName)} (
                tenant_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                client_id TEXT NOT NULL,
                scopes TEXT NOT NULL,
                given_at BIGINT NOT NULL,
                version BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, user_id, client_id))
            """,
            ct).ConfigureAwait(false);
    }
}

/// <summary>Reads the <c>consents</c> model. Every query is scoped to one tenant.</summary>
public sealed class ConsentDirectory(IReadModelStore store)
{
    private readonly string _table = ReadModelSql.LiveTable(ConsentsProjection.TableName, ConsentsProjection.CurrentVersion);

    /// <summary>The scopes the user approved for the client (none when never asked).</summary>
    public async Task<IReadOnlySet<string>> ScopesAsync(string tenantId, string userId, string clientId, CancellationToken ct = default)
    {
        var rows = await ReadModelSql.QueryAsync(store,
            $"SELECT scopes FROM {_table} WHERE tenant_id = @tenant AND user_id = @user AND client_id = @client",
            r => r.GetString(0),
            ct, ("@tenant", tenantId), ("@user", userId), ("@client", clientId)).ConfigureAwait(false);
        return rows.Count == 0
            ? new HashSet<string>(StringComparer.Ordinal)
            : rows[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
    }
}
