using System.Security.Cryptography;
using System.Text;
using KoderId.Domain.Tenants;
using KoderId.Domain.Users;

namespace KoderId.Migration.Zitadel.Import;

/// <summary>
/// The ids the import gives what it creates, derived from the Zitadel ids (ADR 0007), so a re-run finds what
/// an earlier run created without a lookup table: a Zitadel user id that is a valid Koder ID user id is kept;
/// anything else is a hash of the org id and the Zitadel id.
/// </summary>
internal static class ImportIds
{
    public const string TenantAdminRoleId = "tenant-admin";
    public const string TenantAdminRoleName = "tenant-admin";

    /// <summary>The recorded origin of every event an entity's import appends (the events' causation id).</summary>
    public static string Origin(string kind, string zitadelId) => $"zitadel:{kind}:{zitadelId}";

    public static string User(string orgId, string? zitadelUserId, string userName) =>
        zitadelUserId is not null && Domain.Users.User.IsValidUserId(zitadelUserId)
            ? zitadelUserId
            : "z" + Hash("user", orgId, zitadelUserId ?? "name:" + userName)[..31];

    public static string Role(string orgId, string projectId, string roleKey) => "z" + Hash("role", orgId, projectId, roleKey)[..31];

    /// <summary>A client id of the usual form (32 lowercase hex).</summary>
    public static string Client(string kind, string orgId, string zitadelId) => Hash(kind, orgId, zitadelId)[..32];

    /// <summary>The tenant ids tried for an org, best first: its name as a slug, the slug with the org id's tail, then <c>zitadel-{orgId}</c>.</summary>
    public static IReadOnlyList<string> TenantCandidates(string orgId, string name)
    {
        var candidates = new List<string>();
        var slug = Slug(name, 56);
        var tail = Slug(orgId, 63);
        tail = tail.Length > 6 ? tail[^6..] : tail;
        foreach (var candidate in (string[])[slug, slug.Length > 0 && tail.Length > 0 ? $"{slug}-{tail}" : "", Slug($"zitadel-{orgId}", 63)])
        {
            if (Tenant.IsValidId(candidate) && candidate != Tenant.DefaultTenantId && !candidates.Contains(candidate))
            {
                candidates.Add(candidate);
            }
        }

        return candidates;
    }

    private static string Slug(string text, int max)
    {
        var slug = new StringBuilder();
        foreach (var c in Domain.Users.User.Nfkc(text).ToLowerInvariant())
        {
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var result = slug.ToString();
        result = result.Length > max ? result[..max] : result;
        return result.Trim('-');
    }

    private static string Hash(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("zitadel\n" + string.Join('\n', parts))));
}
