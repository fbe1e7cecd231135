using System.Text.RegularExpressions;
using KoderId.Events.Tenants;

namespace KoderId.Domain.Tenants;

public enum TenantStatus
{
    None,
    Active,
    Blocked,
    Deleted,
}

public sealed record TenantDomain(string Domain, bool Verified, bool Primary);

/// <summary>A tenant as its stream folds it. <see cref="TenantStatus.None"/>: the stream has no events.</summary>
public sealed record TenantState(
    string TenantId,
    string Name,
    TenantStatus Status,
    string? BlockedReason,
    IReadOnlyList<TenantDomain> Domains)
{
    public static readonly TenantState Initial = new("", "", TenantStatus.None, null, []);

    /// <summary>The last <see cref="TenantSettingsChanged"/>, or the defaults.</summary>
    public TenantSettings Settings { get; init; } = TenantSettings.Default;

    public bool Exists => Status != TenantStatus.None;
}

/// <summary>
/// Decisions on a tenant. Each returns the events to append (none when the tenant is already as asked:
/// blocking a blocked tenant is not an error) or throws a <see cref="DomainException"/>.
/// </summary>
public static partial class Tenant
{
    /// <summary>The tenant of the bare host; created by bootstrap, never by the API, and never blocked or deleted.</summary>
    public const string DefaultTenantId = "default";

    public const int MaxNameLength = 200;
    public const int MaxReasonLength = 500;
    public const int MaxDomainLength = 253;

    public static TenantState Evolve(TenantState state, object @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        return @event switch
        {
            TenantCreated e => new TenantState(e.TenantId, e.Name, TenantStatus.Active, null, []),
            TenantRenamed e => state with { Name = e.Name },
            TenantBlocked e => state with { Status = TenantStatus.Blocked, BlockedReason = e.Reason },
            TenantUnblocked => state with { Status = TenantStatus.Active, BlockedReason = null },
            TenantDeleted => state with { Status = TenantStatus.Deleted },
            TenantDomainAdded e => state with { Domains = WithDomain(state.Domains, new TenantDomain(NormalizeDomain(e.Domain), e.Verified, e.Primary)) },
            TenantSettingsChanged e => state with { Settings = e.Settings },
            _ => state,
        };
    }

    /// <param name="bootstrap">Only bootstrap may create the reserved <see cref="DefaultTenantId"/>.</param>
    public static IReadOnlyList<object> Create(TenantState state, string tenantId, string name, bool bootstrap = false)
    {
        ArgumentNullException.ThrowIfNull(state);
        EnsureValidId(tenantId);
        if (string.Equals(tenantId, DefaultTenantId, StringComparison.Ordinal) && !bootstrap)
        {
            throw new DomainException(DomainErrors.TenantReservedId, $"The tenant id '{DefaultTenantId}' is reserved.");
        }

        if (state.Exists)
        {
            throw new DomainException(DomainErrors.TenantExists, $"Tenant '{tenantId}' already exists.");
        }

        return [new TenantCreated(tenantId, ValidName(name))];
    }

    public static IReadOnlyList<object> Rename(TenantState state, string name)
    {
        EnsureWritable(state);
        var valid = ValidName(name);
        return string.Equals(valid, state.Name, StringComparison.Ordinal) ? [] : [new TenantRenamed(state.TenantId, valid)];
    }

    public static IReadOnlyList<object> Block(TenantState state, string reason)
    {
        EnsureWritable(state);
        EnsureNotDefault(state, "blocked");
        var trimmed = reason?.Trim() ?? "";
        if (trimmed.Length is 0 or > MaxReasonLength || HasControl(trimmed))
        {
            throw new DomainException(DomainErrors.TenantInvalidReason, $"A block reason is 1 to {MaxReasonLength} printable characters.");
        }

        return state.Status == TenantStatus.Blocked ? [] : [new TenantBlocked(state.TenantId, trimmed)];
    }

    public static IReadOnlyList<object> Unblock(TenantState state)
    {
        EnsureWritable(state);
        return state.Status == TenantStatus.Blocked ? [new TenantUnblocked(state.TenantId)] : [];
    }

    /// <summary>A soft delete: the stream and its users stay in the log; the tenant stops resolving and refuses writes.</summary>
    public static IReadOnlyList<object> Delete(TenantState state)
    {
        EnsureExists(state);
        EnsureNotDefault(state, "deleted");
        return state.Status == TenantStatus.Deleted ? [] : [new TenantDeleted(state.TenantId)];
    }

    /// <summary>
    /// Adds a host name. <c>{tenant}.{baseDomain}</c> is verified at once (the platform owns it); any other
    /// name under the base domain is refused (it would be another tenant's), and a custom domain is added
    /// unverified, so it does not resolve until its ownership is proven.
    /// </summary>
    public static IReadOnlyList<object> AddDomain(TenantState state, string domain, bool primary, string? baseDomain)
    {
        EnsureWritable(state);
        var host = NormalizeDomain(domain ?? "");
        if (!IsValidHostName(host))
        {
            throw new DomainException(DomainErrors.TenantInvalidDomain, "A domain is an ASCII host name (IDNs in their xn-- form) of up to 253 characters with at least two labels.");
        }

        var platform = string.IsNullOrWhiteSpace(baseDomain) ? null : NormalizeDomain(baseDomain);
        var verified = false;
        if (platform is not null && (host == platform || host.EndsWith("." + platform, StringComparison.Ordinal)))
        {
            if (host != $"{state.TenantId}.{platform}")
            {
                throw new DomainException(DomainErrors.TenantDomainNotAllowed, $"Under the base domain a tenant may only use its own subdomain '{state.TenantId}.{platform}'.");
            }

            verified = true;
        }

        var existing = state.Domains.FirstOrDefault(d => d.Domain == host);
        if (existing is not null && existing.Primary == primary && (existing.Verified || !verified))
        {
            return [];
        }

        return [new TenantDomainAdded(state.TenantId, host, verified || (existing?.Verified ?? false), primary)];
    }

    /// <summary>User writes need a live tenant: a blocked or deleted tenant refuses them.</summary>
    public static void EnsureAcceptsUserWrites(TenantState state)
    {
        EnsureWritable(state);
        if (state.Status == TenantStatus.Blocked)
        {
            throw new DomainException(DomainErrors.TenantBlocked, $"Tenant '{state.TenantId}' is blocked.");
        }
    }

    /// <summary>A tenant id is a slug: <c>[a-z0-9-]</c>, 2 to 63 characters, no dash at either end. Throws KID1005.</summary>
    public static void EnsureValidId(string? tenantId)
    {
        if (!IsValidId(tenantId))
        {
            throw new DomainException(DomainErrors.TenantInvalidId, "A tenant id is 2 to 63 lowercase letters, digits or dashes, and neither starts nor ends with a dash.");
        }
    }

    public static bool IsValidId(string? tenantId) => tenantId is not null && TenantIdPattern().IsMatch(tenantId);

    public static string NormalizeDomain(string domain) => domain.Trim().TrimEnd('.').ToLowerInvariant();

    private static void EnsureExists(TenantState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Exists)
        {
            throw new DomainException(DomainErrors.TenantNotFound, "The tenant does not exist.");
        }
    }

    private static void EnsureWritable(TenantState state)
    {
        EnsureExists(state);
        if (state.Status == TenantStatus.Deleted)
        {
            throw new DomainException(DomainErrors.TenantDeleted, $"Tenant '{state.TenantId}' is deleted.");
        }
    }

    private static void EnsureNotDefault(TenantState state, string what)
    {
        if (string.Equals(state.TenantId, DefaultTenantId, StringComparison.Ordinal))
        {
            // The system administrator lives in the default tenant; blocking or deleting it locks everyone out.
            throw new DomainException(DomainErrors.TenantDefaultProtected, $"The '{DefaultTenantId}' tenant cannot be {what}.");
        }
    }

    private static string ValidName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > MaxNameLength || HasControl(trimmed))
        {
            throw new DomainException(DomainErrors.TenantInvalidName, $"A tenant name is 1 to {MaxNameLength} printable characters.");
        }

        return trimmed;
    }

    private static bool IsValidHostName(string host) =>
        host.Length <= MaxDomainLength && host.Contains('.', StringComparison.Ordinal) && HostNamePattern().IsMatch(host);

    private static IReadOnlyList<TenantDomain> WithDomain(IReadOnlyList<TenantDomain> domains, TenantDomain added)
    {
        var result = new List<TenantDomain>(domains.Count + 1);
        foreach (var d in domains)
        {
            if (d.Domain != added.Domain)
            {
                result.Add(added.Primary ? d with { Primary = false } : d);
            }
        }

        result.Add(added);
        return result;
    }

    private static bool HasControl(string value) => value.Any(char.IsControl);

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])\\z", RegexOptions.CultureInvariant)]
    private static partial Regex TenantIdPattern();

    [GeneratedRegex("^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+\\z", RegexOptions.CultureInvariant)]
    private static partial Regex HostNamePattern();
}
