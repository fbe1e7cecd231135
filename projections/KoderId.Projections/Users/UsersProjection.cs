using KoderId.Events.Credentials;
using KoderId.Events.Users;
using KoderId.EventSourcing.Projections;
using KoderId.EventSourcing.Storage;

namespace KoderId.Projections.Users;

/// <summary>
/// One row per user and tenant, inline (sign-in reads it right after a write). <c>version</c> is the user
/// stream's version the row reflects, so it can serve as an ETag. Lookup keys are lowercase: usernames and
/// emails match case-insensitively. Erasure clears every personal column, which is also what a rebuild
/// reaches once the subject key is gone (the events then read as [erased]).
/// </summary>
public sealed class UsersProjection : SqlProjection
{
    public const string ProjectionName = "users";
    public const string TableName = "users";
    public const int CurrentVersion = 1;

    public UsersProjection()
        : this(CurrentVersion)
    {
    }

    /// <summary>A different <paramref name="version"/> builds a new <c>users_v{version}</c> table from the log (upgrade rehearsals and tests).</summary>
    public UsersProjection(int version)
        : base(ProjectionName, version, ProjectionLifecycle.Inline, TableName)
    {
        On<UserCreated>((ctx, e, s, ct) => ctx.WriteAsync(
            $"""
            INSERT INTO {ctx.Table(TableName)} (tenant_id, user_id, username, username_key, email, email_key, email_verified,
                given_name, family_name, display_name, phone, preferred_language, status, created_at, updated_at, version)
            VALUES (@tenant, @user, @username, @username_key, @email, @email_key, @email_verified,
                @given_name, @family_name, @display_name, @phone, @language, 'active', @at, @at, @version)
            ON CONFLICT (tenant_id, user_id) DO UPDATE SET username = excluded.username, username_key = excluded.username_key,
                email = excluded.email, email_key = excluded.email_key, email_verified = excluded.email_verified,
                given_name = excluded.given_name, family_name = excluded.family_name, display_name = excluded.display_name,
                phone = excluded.phone, preferred_language = excluded.preferred_language, status = excluded.status,
                created_at = excluded.created_at, updated_at = excluded.updated_at, version = excluded.version
            """,
            ct,
            ("@tenant", s.TenantId),
            ("@user", e.UserId),
            ("@username", e.Username),
            ("@username_key", Key(e.Username)),
            ("@email", e.Email),
            ("@email_key", Key(e.Email)),
            ("@email_verified", ReadModelSql.Flag(e.EmailVerified)),
            ("@given_name", e.GivenName),
            ("@family_name", e.FamilyName),
            ("@display_name", e.DisplayName),
            ("@phone", e.Phone),
            ("@language", e.PreferredLanguage),
            ("@at", At(s)),
            ("@version", s.StreamVersion)));

        On<UserProfileUpdated>((ctx, e, s, ct) => Update(ctx, s, e.UserId,
            "given_name = @given_name, family_name = @family_name, display_name = @display_name, phone = @phone, preferred_language = @language",
            ct,
            ("@given_name", e.GivenName),
            ("@family_name", e.FamilyName),
            ("@display_name", e.DisplayName),
            ("@phone", e.Phone),
            ("@language", e.PreferredLanguage)));

        On<UserEmailChanged>((ctx, e, s, ct) => Update(ctx, s, e.UserId,
            "email = @email, email_key = @email_key, email_verified = @email_verified",
            ct,
            ("@email", e.Email),
            ("@email_key", Key(e.Email)),
            ("@email_verified", ReadModelSql.Flag(e.EmailVerified))));

        // Only the address proven: a verification that raced a change leaves the new address pending.
        On<UserEmailVerified>((ctx, e, s, ct) => Update(ctx, s, e.UserId,
            "email_verified = CASE WHEN email_key = @email_key THEN @verified ELSE email_verified END",
            ct,
            ("@email_key", Key(e.Email)),
            ("@verified", ReadModelSql.Flag(true))));

        On<UserDisabled>((ctx, e, s, ct) => Update(ctx, s, e.UserId, "status = 'disabled'", ct));
        On<UserEnabled>((ctx, e, s, ct) => Update(ctx, s, e.UserId, "status = 'active'", ct));
        On<UserDeleted>((ctx, e, s, ct) => Update(ctx, s, e.UserId, "status = 'deleted'", ct));
        On<UserRestored>((ctx, e, s, ct) => Update(ctx, s, e.UserId, e.Disabled ? "status = 'disabled'" : "status = 'active'", ct));
        On<UserErased>((ctx, e, s, ct) => Update(ctx, s, e.UserId,
            "status = 'erased', username = NULL, username_key = NULL, email = NULL, email_key = NULL, " +
            "given_name = NULL, family_name = NULL, display_name = NULL, phone = NULL",
            ct));

        // The hash belongs to the credentials model; here it only moves the row to the stream's version.
        On<UserPasswordSet>((ctx, e, s, ct) => Update(ctx, s, e.UserId, "", ct));
    }

    public override async Task CreateAsync(ProjectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var users = context.Table(TableName);
        await context.ExecuteAsync(
            $"""
            CREATE TABLE {users} (
                tenant_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                username TEXT,
                username_key TEXT,
                email TEXT,
                email_key TEXT,
                email_verified INTEGER NOT NULL,
                given_name TEXT,
                family_name TEXT,
                display_name TEXT,
                phone TEXT,
                preferred_language TEXT,
                status TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                version BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, user_id))
            """,
            ct).ConfigureAwait(false);
        await context.ExecuteAsync($"CREATE INDEX ix_{users}_username ON {users} (tenant_id, username_key)", ct).ConfigureAwait(false);
        await context.ExecuteAsync($"CREATE INDEX ix_{users}_email ON {users} (tenant_id, email_key)", ct).ConfigureAwait(false);
    }

    private static Task Update(ProjectionContext ctx, StoredEvent s, string userId, string set, CancellationToken ct, params (string Name, object? Value)[] args) =>
        ctx.WriteAsync(
            $"UPDATE {ctx.Table(TableName)} SET {set}{(set.Length > 0 ? ", " : "")}updated_at = @at, version = @version WHERE tenant_id = @tenant AND user_id = @user",
            ct,
            [.. args, ("@at", At(s)), ("@version", s.StreamVersion), ("@tenant", s.TenantId), ("@user", userId)]);

    private static long At(StoredEvent s) => ReadModelSql.Micros(s.Metadata.Timestamp);

    internal static string? Key(string? value) => value?.Trim().ToLowerInvariant();
}
