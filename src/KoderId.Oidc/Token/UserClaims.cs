using KoderId.Application.Users;
using KoderId.Projections.Roles;
using KoderId.Projections.Users;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Token;

/// <summary>
/// The standard claims of a user by scope (OIDC Core §5.4): <c>profile</c>, <c>email</c>, <c>phone</c>,
/// <c>roles</c> (the effective roles), <c>metadata</c> (the user's metadata, key to base64 value; also under Zitadel's
/// scope and claim name <c>urn:zitadel:iam:user:metadata</c>, so applications migrated from Zitadel read it unchanged).
/// <c>address</c> has no data in the user model yet and adds nothing.
/// </summary>
public sealed class UserClaims(UserDirectory users, RoleDirectory roles, IServiceScopeFactory scopeFactory)
{
    public const string MetadataScope = "metadata";
    public const string ZitadelMetadataScope = "urn:zitadel:iam:user:metadata";

    public async ValueTask<UserView?> ActiveUserAsync(string tenantId, string userId, CancellationToken ct) =>
        await users.GetAsync(tenantId, userId, ct).ConfigureAwait(false) is { Status: UserStatus.Active } user ? user : null;

    public async ValueTask<IReadOnlyList<string>> RolesAsync(string tenantId, string userId, CancellationToken ct) =>
        (await roles.EffectiveRolesAsync(tenantId, userId, ct).ConfigureAwait(false)).Select(r => r.Name).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Adds the claims <paramref name="scopes"/> grant to <paramref name="claims"/>; <paramref name="roles"/> when the caller already read them.</summary>
    public async ValueTask AddAsync(IDictionary<string, object?> claims, UserView user, IReadOnlyCollection<string> scopes, CancellationToken ct, IReadOnlyList<string>? roles = null)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(scopes);
        if (scopes.Contains("profile"))
        {
            Put(claims, "name", user.DisplayName ?? JoinName(user));
            Put(claims, "given_name", user.GivenName);
            Put(claims, "family_name", user.FamilyName);
            Put(claims, "preferred_username", user.Username);
            Put(claims, "locale", user.PreferredLanguage);
            claims["updated_at"] = user.UpdatedAt.ToUnixTimeSeconds();
        }

        if (scopes.Contains("email") && user.Email is not null)
        {
            claims["email"] = user.Email;
            claims["email_verified"] = user.EmailVerified;
        }

        if (scopes.Contains("phone") && user.Phone is not null)
        {
            claims["phone_number"] = user.Phone;
            claims["phone_number_verified"] = false;
        }

        if (scopes.Contains("roles"))
        {
            claims["roles"] = roles ?? await RolesAsync(user.TenantId, user.UserId, ct).ConfigureAwait(false);
        }

        var metadata = scopes.Contains(MetadataScope);
        var zitadel = scopes.Contains(ZitadelMetadataScope);
        if (metadata || zitadel)
        {
            // Read from the user's stream only when asked for: an entry set a moment ago is in the next token.
            await using var scope = scopeFactory.CreateAsyncScope();
            var entries = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new GetUserMetadata(user.TenantId, user.UserId), ct).ConfigureAwait(false);
            if (entries.Count > 0)
            {
                var values = new SortedDictionary<string, string>(entries, StringComparer.Ordinal);
                if (metadata)
                {
                    claims[MetadataScope] = values;
                }

                if (zitadel)
                {
                    claims[ZitadelMetadataScope] = values;
                }
            }
        }
    }

    private static string? JoinName(UserView user)
    {
        var name = string.Join(' ', new[] { user.GivenName, user.FamilyName }.Where(p => !string.IsNullOrEmpty(p)));
        return name.Length == 0 ? null : name;
    }

    private static void Put(IDictionary<string, object?> claims, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            claims[name] = value;
        }
    }
}
