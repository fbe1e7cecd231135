using KoderId.Projections.Tenants;
using Microsoft.AspNetCore.Http;

namespace KoderId.Oidc.Common;

/// <summary>The tenant a protocol request is addressed to, and the issuer it answers as.</summary>
/// <param name="Issuer">An https (or, in development, http) origin without a trailing slash: each tenant is its own issuer.</param>
public sealed record OidcTenant(TenantView Tenant, string Issuer)
{
    public string TenantId => Tenant.TenantId;

    /// <summary>An endpoint of this issuer: <c>{issuer}{path}</c>.</summary>
    public string Endpoint(string path) => Issuer + path;
}

/// <summary>
/// Port the host implements: the tenant of a protocol request, from the Host alone (ADR 0004 — a browser or an
/// RP library cannot send <c>X-Tenant-ID</c>, and an issuer must not depend on a header the caller picks).
/// Unknown or deleted tenants throw the domain's not-found error; with <paramref name="requireActive"/> a
/// blocked tenant throws KID1003.
/// </summary>
public interface IOidcTenantResolver
{
    ValueTask<OidcTenant> ResolveAsync(HttpContext http, bool requireActive, CancellationToken ct);
}
