using System.Security.Claims;
using System.Text.Json;
using KoderId.Application.Clients;
using KoderId.Domain;
using KoderId.Domain.Clients;
using KoderId.Oidc.Clients;
using KoderId.Oidc.Common;
using KoderId.Projections.Clients;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KoderId.Oidc.Registration;

/// <summary><c>KoderId:Oidc</c> settings of dynamic registration.</summary>
public sealed class ClientRegistrationOptions
{
    /// <summary>Register without an initial access token (RFC 7591 §3 "open registration"). Off by default: secure by default.</summary>
    public bool AllowAnonymousRegistration { get; set; }
}

/// <summary>
/// Port the host implements: whether the request's authenticated principal (the host's bearer authentication
/// has already run) may register clients in <paramref name="tenantId"/>, i.e. holds an initial access token.
/// </summary>
public interface IRegistrationAuthorizer
{
    bool MayRegister(ClaimsPrincipal user, string tenantId);
}

/// <summary>
/// RFC 7591 dynamic client registration at <c>/oauth/v2/register</c> and RFC 7592 management at
/// <c>/oauth/v2/register/{client_id}</c> with the registration access token as bearer. The tenant is the
/// Host's (ADR 0004). Every answer is OAuth JSON with <c>Cache-Control: no-store</c>.
/// </summary>
public static class RegistrationEndpoints
{
    public const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapClientRegistration(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(OidcPaths.Register, (Delegate)RegisterAsync).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet(OidcPaths.Register + "/{clientId}", ReadAsync).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapPut(OidcPaths.Register + "/{clientId}", UpdateAsync).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapDelete(OidcPaths.Register + "/{clientId}", DeleteAsync).AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }

    private static Task<IResult> RegisterAsync(HttpContext http) => Guard(http, async (services, tenant, ct) =>
    {
        var options = services.GetRequiredService<IOptions<ClientRegistrationOptions>>().Value;
        if (!options.AllowAnonymousRegistration && !services.GetRequiredService<IRegistrationAuthorizer>().MayRegister(http.User, tenant.TenantId))
        {
            throw ClientProtocolErrors.Error(OAuthErrors.InvalidToken, ClientProtocolErrors.RegistrationUnauthorized,
                "Registration needs an initial access token of this tenant.", StatusCodes.Status401Unauthorized);
        }

        var draft = RegistrationMetadata.Read(await ReadBodyAsync(http.Request, ct).ConfigureAwait(false));
        var registered = await Domain(() => services.GetRequiredService<IMediator>()
            .Send(new RegisterClient(tenant.TenantId, draft with { Name = draft.Name ?? "Dynamically registered client" }, ClientRegistrations.Dynamic), ct).AsTask())
            .ConfigureAwait(false);
        var directory = services.GetRequiredService<ClientDirectory>();
        directory.Invalidate(tenant.TenantId, registered.ClientId);
        var view = await directory.GetAsync(tenant.TenantId, registered.ClientId, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException("An inline projection did not show a committed client.");
        return OAuthResults.NoStoreJson(
            RegistrationMetadata.Write(view, ClientUri(tenant, view.ClientId), registered.ClientSecret, registered.RegistrationAccessToken),
            StatusCodes.Status201Created);
    });

    private static Task<IResult> ReadAsync(HttpContext http, string clientId) => Guard(http, async (services, tenant, ct) =>
    {
        var view = await ManagedAsync(http, services, tenant, clientId, ct).ConfigureAwait(false);
        return OAuthResults.NoStoreJson(RegistrationMetadata.Write(view, ClientUri(tenant, clientId), null, null));
    });

    /// <summary>RFC 7592 §2.2: the body is the client's whole metadata (omitted members take their defaults) and names the client.</summary>
    private static Task<IResult> UpdateAsync(HttpContext http, string clientId) => Guard(http, async (services, tenant, ct) =>
    {
        var current = await ManagedAsync(http, services, tenant, clientId, ct).ConfigureAwait(false);
        var root = await ReadBodyAsync(http.Request, ct).ConfigureAwait(false);
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("client_id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() != clientId)
        {
            throw ClientProtocolErrors.Error(OAuthErrors.InvalidRequest, ClientProtocolErrors.MalformedRegistration, "The body names this client in client_id.");
        }

        foreach (var forbidden in (string[])["registration_access_token", "registration_client_uri", "client_secret_expires_at", "client_id_issued_at"])
        {
            if (root.TryGetProperty(forbidden, out _))
            {
                throw ClientProtocolErrors.Error(OAuthErrors.InvalidRequest, ClientProtocolErrors.MalformedRegistration, $"{forbidden} is not sent on an update (RFC 7592 §2.2).");
            }
        }

        var draft = RegistrationMetadata.Read(root);
        await Domain(() => services.GetRequiredService<IMediator>()
            .Send(new UpdateClient(tenant.TenantId, clientId, draft with { Name = draft.Name ?? current.Name, ClientType = current.ClientType }), ct).AsTask())
            .ConfigureAwait(false);
        var directory = services.GetRequiredService<ClientDirectory>();
        directory.Invalidate(tenant.TenantId, clientId);
        var view = await directory.GetAsync(tenant.TenantId, clientId, ct).ConfigureAwait(false) ?? throw InvalidRegistrationToken();
        return OAuthResults.NoStoreJson(RegistrationMetadata.Write(view, ClientUri(tenant, clientId), null, null));
    });

    private static Task<IResult> DeleteAsync(HttpContext http, string clientId) => Guard(http, async (services, tenant, ct) =>
    {
        await ManagedAsync(http, services, tenant, clientId, ct).ConfigureAwait(false);
        await services.GetRequiredService<IMediator>().Send(new DeleteClient(tenant.TenantId, clientId), ct).ConfigureAwait(false);
        services.GetRequiredService<ClientDirectory>().Invalidate(tenant.TenantId, clientId);
        OAuthResults.SetNoStore(http.Response);
        return Results.NoContent();
    });

    /// <summary>
    /// The client behind a valid registration access token. An unknown client, another tenant's, an admin-registered
    /// one and a wrong token all answer the same 401 (RFC 7592 §3: never reveal whether the client exists).
    /// </summary>
    private static async Task<ClientView> ManagedAsync(HttpContext http, IServiceProvider services, OidcTenant tenant, string clientId, CancellationToken ct)
    {
        var header = http.Request.Headers.Authorization;
        var token = header.Count == 1 && header[0]!.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[0]!["Bearer ".Length..].Trim() : "";
        var directory = services.GetRequiredService<ClientDirectory>();
        var client = ClientSecrets.IsClientId(clientId) ? await directory.FindAsync(tenant.TenantId, clientId, ct).ConfigureAwait(false) : null;
        directory.Invalidate(tenant.TenantId, clientId);
        var matches = ClientSecrets.Verify(token, client?.RegistrationAccessTokenHash);
        return client is not null && matches && token.Length > 0 ? client.View : throw InvalidRegistrationToken();
    }

    private static OAuthException InvalidRegistrationToken() =>
        ClientProtocolErrors.Error(OAuthErrors.InvalidToken, ClientProtocolErrors.InvalidRegistrationToken,
            "The registration access token is not valid for this client.", StatusCodes.Status401Unauthorized);

    private static string ClientUri(OidcTenant tenant, string clientId) => tenant.Endpoint(OidcPaths.Register + "/" + clientId);

    private static async Task<IResult> Guard(HttpContext http, Func<IServiceProvider, OidcTenant, CancellationToken, Task<IResult>> handle)
    {
        try
        {
            var tenant = await http.RequestServices.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: true, http.RequestAborted).ConfigureAwait(false);
            return await handle(http.RequestServices, tenant, http.RequestAborted).ConfigureAwait(false);
        }
        catch (OAuthException ex)
        {
            return OAuthResults.Error(ex, ex.Status == StatusCodes.Status401Unauthorized ? "Bearer" : null);
        }
    }

    /// <summary>A refused decision is RFC 7591 §3.2.2 error JSON: redirect URI rules are <c>invalid_redirect_uri</c>, the rest <c>invalid_client_metadata</c>.</summary>
    private static async Task<T> Domain<T>(Func<Task<T>> send)
    {
        try
        {
            return await send().ConfigureAwait(false);
        }
        catch (DomainException ex) when (ex.Code is DomainErrors.ClientInvalidRedirectUri or DomainErrors.ClientInvalidPostLogoutRedirectUri)
        {
            throw ClientProtocolErrors.Error(OAuthErrors.InvalidRedirectUri, ClientProtocolErrors.InvalidRedirectUri, $"{ex.Message} [{ex.Code}]");
        }
        catch (DomainException ex) when (ex.Code.StartsWith("KID12", StringComparison.Ordinal) && ex.Code != DomainErrors.ClientNotFound)
        {
            throw ClientProtocolErrors.Error(OAuthErrors.InvalidClientMetadata, ClientProtocolErrors.InvalidClientMetadata, $"{ex.Message} [{ex.Code}]");
        }
    }

    private static async Task<JsonElement> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw ClientProtocolErrors.Error(OAuthErrors.InvalidRequest, ClientProtocolErrors.RegistrationMediaType,
                "The body is application/json.", StatusCodes.Status415UnsupportedMediaType);
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge();
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw TooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 16 });
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw ClientProtocolErrors.Error(OAuthErrors.InvalidRequest, ClientProtocolErrors.MalformedRegistration, "The body is not well-formed JSON.");
        }
    }

    private static OAuthException TooLarge() =>
        ClientProtocolErrors.Error(OAuthErrors.InvalidRequest, ClientProtocolErrors.RegistrationTooLarge,
            $"The body is at most {MaxBodyBytes / 1024} KiB.", StatusCodes.Status413PayloadTooLarge);
}
