using System.Text.Json;
using KoderId.Application.Common;
using KoderId.Oidc.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace KoderId.Oidc.Keys;

/// <summary><c>/oauth/v2/keys</c>: the tenant's published public keys (RFC 7517 JWK Set). A hot path: cached keys, nothing appended.</summary>
public static class KeysEndpoint
{
    public const string ContentType = "application/jwk-set+json";

    /// <summary>Short enough that a relying party sees a new key long before it signs (<see cref="KeyOptions.KeyPropagationDelay"/>).</summary>
    public const string CacheControl = "public, max-age=300";

    public static IEndpointRouteBuilder MapKeysEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(OidcPaths.Keys, HandleAsync).AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext http, IOidcTenantResolver tenants, SigningKeyRing ring, IClock clock)
    {
        var tenant = await tenants.ResolveAsync(http, requireActive: false, http.RequestAborted).ConfigureAwait(false);
        var keys = await ring.KeysAsync(tenant.TenantId, http.RequestAborted).ConfigureAwait(false);
        var published = keys.Published(clock.UtcNow);

        http.Response.ContentType = ContentType;
        http.Response.Headers.CacheControl = CacheControl;
        await using var writer = new Utf8JsonWriter(http.Response.BodyWriter);
        writer.WriteStartObject();
        writer.WriteStartArray("keys"u8);
        foreach (var key in published)
        {
            writer.WriteStartObject();
            writer.WriteString("kty"u8, key.PublicKey.Kty);
            writer.WriteString("use"u8, "sig");
            writer.WriteString("kid"u8, key.KeyId);
            writer.WriteString("alg"u8, key.Algorithm);
            if (key.PublicKey.Kty == "RSA")
            {
                writer.WriteString("n"u8, key.PublicKey.N);
                writer.WriteString("e"u8, key.PublicKey.E);
            }
            else
            {
                writer.WriteString("crv"u8, key.PublicKey.Crv);
                writer.WriteString("x"u8, key.PublicKey.X);
                writer.WriteString("y"u8, key.PublicKey.Y);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }
}
