using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace KoderId.Oidc.Authorize;

/// <summary>
/// Carries a validated authorization request through the login and consent pages as one opaque value
/// (Data Protection: authenticated encryption, bound to the tenant, expiring), so the browser can neither
/// read nor alter it, and a value minted for one tenant is refused by another.
/// </summary>
public sealed class PendingAuthorization(IDataProtectionProvider provider, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private const string Purpose = "KoderId.Oidc.Authorize.PendingRequest.v1";

    public string Protect(ValidatedAuthorizeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var json = JsonSerializer.Serialize(request, JsonSerializerOptions.Web);
        return Protector(request.TenantId).Protect(json, time.GetUtcNow().Add(Lifetime));
    }

    /// <summary>The request, or null for a value that is malformed, tampered with, expired or another tenant's.</summary>
    public ValidatedAuthorizeRequest? Unprotect(string tenantId, string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 16 * 1024)
        {
            return null;
        }

        try
        {
            var json = Protector(tenantId).Unprotect(value, out var expiration);
            if (expiration < time.GetUtcNow())
            {
                return null;
            }

            var request = JsonSerializer.Deserialize<ValidatedAuthorizeRequest>(json, JsonSerializerOptions.Web);
            return request is not null && request.TenantId == tenantId ? request : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private ITimeLimitedDataProtector Protector(string tenantId) =>
        provider.CreateProtector(Purpose, tenantId).ToTimeLimitedDataProtector();
}
