using KoderId.Application.Email;
using KoderId.Application.Tenants;
using KoderId.Domain.Tenants;
using KoderId.Events.Tenants;
using KoderId.Oidc.Common;
using KoderId.Server.Tenancy;
using Microsoft.Extensions.Options;

namespace KoderId.Server.Email;

/// <summary>
/// A tenant's link origin from configuration only (ADR 0006): its <c>email.publicOrigin</c> setting, else its
/// issuer origin as the server configuration defines it — <c>KoderId:Oidc:PublicOrigin</c> for the default
/// tenant, <c>{scheme}://{tenant}.{BaseDomain}</c> (that origin's scheme and port) for the others. Unlike the
/// protocol endpoints' issuer, nothing here reads the request, so a forged Host or X-Forwarded-Host cannot
/// point a reset link at an attacker's server.
/// </summary>
internal sealed class ConfiguredEmailOrigins(ITenantSettingsProvider settings, IOptions<OidcOptions> oidc, IOptions<TenancyOptions> tenancy) : IEmailOrigins
{
    public async ValueTask<EmailTenant?> GetAsync(string tenantId, CancellationToken ct)
    {
        var email = (await settings.GetAsync(tenantId, ct).ConfigureAwait(false)).Email ?? EmailSettings.Default;
        var origin = email.PublicOrigin?.TrimEnd('/') ?? IssuerOrigin(tenantId);
        return origin is null ? null : new EmailTenant(origin, email.FromAddress, email.AllowEmailOtp);
    }

    private string? IssuerOrigin(string tenantId)
    {
        var configured = oidc.Value.PublicOrigin?.Trim().TrimEnd('/');
        Uri? publicOrigin = string.IsNullOrEmpty(configured) ? null : new Uri(configured);
        var baseDomain = tenancy.Value.BaseDomain?.Trim().TrimEnd('.').ToLowerInvariant();
        if (tenantId == Tenant.DefaultTenantId && publicOrigin is not null)
        {
            return publicOrigin.GetLeftPart(UriPartial.Authority);
        }

        if (string.IsNullOrEmpty(baseDomain))
        {
            return null;
        }

        var scheme = publicOrigin?.Scheme ?? Uri.UriSchemeHttps;
        var port = publicOrigin is { IsDefaultPort: false } ? $":{publicOrigin.Port}" : "";
        var host = tenantId == Tenant.DefaultTenantId ? baseDomain : $"{tenantId}.{baseDomain}";
        return $"{scheme}://{host}{port}";
    }
}
