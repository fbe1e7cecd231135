using System.Security.Claims;
using KoderId.Domain.ApiKeys;
using KoderId.Oidc.Registration;

namespace KoderId.Server.Auth;

/// <summary>
/// The initial access token of RFC 7591 §3 is a credential this host already has: the system admin, or an API key
/// of the registering tenant (or a system key) holding <c>clients:write</c> (or <c>admin</c>).
/// </summary>
internal sealed class RegistrationAuthorizer : IRegistrationAuthorizer
{
    public bool MayRegister(ClaimsPrincipal user, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        if (user.IsInRole(AuthSetup.SystemAdminRole))
        {
            return true;
        }

        var ofTenant = user.HasClaim(AuthSetup.SystemClaim, "true") || string.Equals(user.FindFirst(AuthSetup.TenantClaim)?.Value, tenantId, StringComparison.Ordinal);
        return ofTenant && ApiKeyScopes.Grants(user.FindAll(AuthSetup.ScopeClaim).Select(c => c.Value), ApiKeyScopes.ClientsWrite);
    }
}
