using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Tenants;

// Tenant events are appended to the tenant's own stream (tenant-{id}) under the tenant itself, so the
// envelope's tenant and TenantId are the same; TenantId is the aggregate id. No personal data here.

[EventType("tenant.created.v1")]
public sealed record TenantCreated(string TenantId, string Name);

[EventType("tenant.renamed.v1")]
public sealed record TenantRenamed(string TenantId, string Name);

/// <summary>Sign-ins and token issuance stop for every user of the tenant until it is unblocked.</summary>
[EventType("tenant.blocked.v1")]
public sealed record TenantBlocked(string TenantId, string Reason);

[EventType("tenant.unblocked.v1")]
public sealed record TenantUnblocked(string TenantId);

[EventType("tenant.deleted.v1")]
public sealed record TenantDeleted(string TenantId);

/// <summary>A host name that resolves to the tenant. Only a verified domain is used for tenant resolution.</summary>
[EventType("tenant.domain-added.v1")]
public sealed record TenantDomainAdded(string TenantId, string Domain, bool Verified, bool Primary);

/// <summary>
/// The tenant's whole settings record after the change (not a diff), so a reader needs only the last one.
/// A tenant without this event runs on <see cref="TenantSettings.Default"/>.
/// </summary>
[EventType("tenant.settings-changed.v1")]
public sealed record TenantSettingsChanged(string TenantId, TenantSettings Settings);
