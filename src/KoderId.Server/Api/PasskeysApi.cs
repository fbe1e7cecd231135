using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Application.Passkeys;
using KoderId.Domain;
using KoderId.Domain.ApiKeys;
using KoderId.Oidc.Common;
using KoderId.Projections.Passkeys;
using KoderId.Projections.Users;
using KoderId.Server.Auth;
using KoderId.Server.Errors;
using KoderId.Server.Tenancy;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KoderId.Server.Api;

/// <summary>One registered passkey: never its public key or counter history.</summary>
public sealed record PasskeyResponse(
    string Id,
    string Name,
    int Algorithm,
    string Aaguid,
    IReadOnlyList<string> Transports,
    bool BackupEligible,
    bool BackedUp,
    bool Discoverable,
    bool UserVerified,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt)
{
    public static PasskeyResponse From(PasskeyView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(view.CredentialId, view.Name, view.Algorithm, view.Aaguid, view.Transports, view.BackupEligible, view.BackupState,
            view.Discoverable, view.UserVerified, view.CreatedAt, view.LastUsedAt);
    }
}

public sealed record PasskeyListResponse(IReadOnlyList<PasskeyResponse> Items);

public sealed record RenamePasskeyRequest(string? Name);

/// <summary>
/// Passkeys over REST (ADR 0006). <c>/v1/users/me/passkeys</c> is the signed-in user's own: registration options,
/// registration (the WebAuthn L3 §7.1 checks against the tenant's origin and host), list, rename, delete;
/// authenticated by the user's access token as <c>/v1/sessions</c> is. <c>/v1/users/{id}/passkeys</c> lets an
/// admin (users:read / users:write) list and remove them. Another user's or tenant's credential id is the same
/// 404 (KID1340) as an unknown one. Errors are problem+json.
/// </summary>
public static class PasskeysApi
{
    public static IEndpointRouteBuilder MapPasskeysApi(this IEndpointRouteBuilder routes)
    {
        var mine = routes.MapGroup("/v1/users/me/passkeys").WithTags("Passkeys").AllowAnonymous();
        mine.MapPost("/registration-options", BeginRegistrationAsync);
        mine.MapPost("/", RegisterAsync);
        mine.MapGet("/", ListMineAsync);
        mine.MapPatch("/{credentialId}", RenameAsync);
        mine.MapDelete("/{credentialId}", RemoveMineAsync);

        var read = AuthSetup.TenantScope(ApiKeyScopes.UsersRead, DomainErrors.UserNotFound, "The user does not exist.");
        var write = AuthSetup.TenantScope(ApiKeyScopes.UsersWrite, DomainErrors.UserNotFound, "The user does not exist.");
        var admin = routes.MapGroup("/v1/users/{id}/passkeys").WithTags("Passkeys").RequireTenant(requireActive: false);
        admin.MapGet("/", ListForUserAsync).RequireAuthorization(read);
        admin.MapDelete("/{credentialId}", RemoveForUserAsync).RequireAuthorization(write);
        return routes;
    }

    /// <summary>The relying party of a tenant: the origin of its issuer (never a request header) and that origin's host.</summary>
    public static RelyingParty RelyingPartyOf(OidcTenant tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return RelyingParty.ForOrigin(new Uri(tenant.Issuer).GetLeftPart(UriPartial.Authority), tenant.Tenant.Name);
    }

    private static async Task<IResult> BeginRegistrationAsync(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var (caller, refused) = await AuthenticateAsync(http);
        if (caller is null)
        {
            return refused!;
        }

        var options = await mediator.Send(new BeginPasskeyRegistration(caller.Value.Tenant.TenantId, caller.Value.Token.Subject, RelyingPartyOf(caller.Value.Tenant)), ct);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Json(new JsonObject { ["publicKey"] = options }, ApiJson.Options);
    }

    private static async Task<IResult> RegisterAsync(HttpContext http, IMediator mediator, PasskeyDirectory passkeys, CancellationToken ct)
    {
        var (caller, refused) = await AuthenticateAsync(http);
        if (caller is null)
        {
            return refused!;
        }

        using var body = await ApiJson.ReadDocumentAsync(http.Request, ct, "application/json");
        var (credential, name) = ReadRegistration(body.RootElement);
        var tenantId = caller.Value.Tenant.TenantId;
        var registered = await mediator.Send(new RegisterPasskey(tenantId, caller.Value.Token.Subject, RelyingPartyOf(caller.Value.Tenant), credential, name), ct);
        var view = await passkeys.GetAsync(tenantId, registered.CredentialId, ct);
        return TypedResults.Created($"/v1/users/me/passkeys/{registered.CredentialId}", view is null ? null : PasskeyResponse.From(view));
    }

    private static async Task<IResult> ListMineAsync(HttpContext http, PasskeyDirectory passkeys, CancellationToken ct)
    {
        var (caller, refused) = await AuthenticateAsync(http);
        if (caller is null)
        {
            return refused!;
        }

        var list = await passkeys.ListForUserAsync(caller.Value.Tenant.TenantId, caller.Value.Token.Subject, ct);
        return TypedResults.Ok(new PasskeyListResponse(list.Select(PasskeyResponse.From).ToArray()));
    }

    private static async Task<IResult> RenameAsync(string credentialId, HttpContext http, IMediator mediator, PasskeyDirectory passkeys, CancellationToken ct)
    {
        var (caller, refused) = await AuthenticateAsync(http);
        if (caller is null)
        {
            return refused!;
        }

        var request = await ApiJson.ReadAsync<RenamePasskeyRequest>(http.Request, ct);
        var tenantId = caller.Value.Tenant.TenantId;
        await mediator.Send(new RenamePasskey(tenantId, caller.Value.Token.Subject, credentialId, request.Name), ct);
        var view = await passkeys.GetAsync(tenantId, credentialId, ct) ?? throw NotFound();
        return TypedResults.Ok(PasskeyResponse.From(view));
    }

    private static async Task<IResult> RemoveMineAsync(string credentialId, HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var (caller, refused) = await AuthenticateAsync(http);
        if (caller is null)
        {
            return refused!;
        }

        await mediator.Send(new RemovePasskey(caller.Value.Tenant.TenantId, caller.Value.Token.Subject, credentialId, "user"), ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PasskeyListResponse>> ListForUserAsync(string id, TenantContext tenant, UserDirectory users, PasskeyDirectory passkeys, CancellationToken ct)
    {
        _ = await users.GetAsync(tenant.TenantId, id, ct) ?? throw new DomainException(DomainErrors.UserNotFound, "The user does not exist.");
        var list = await passkeys.ListForUserAsync(tenant.TenantId, id, ct);
        return TypedResults.Ok(new PasskeyListResponse(list.Select(PasskeyResponse.From).ToArray()));
    }

    private static async Task<NoContent> RemoveForUserAsync(string id, string credentialId, TenantContext tenant, IMediator mediator, CancellationToken ct)
    {
        await mediator.Send(new RemovePasskey(tenant.TenantId, id, credentialId, "admin"), ct);
        return TypedResults.NoContent();
    }

    private static (JsonElement Credential, string? Name) ReadRegistration(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw ApiJson.Malformed("The body must be a JSON object.");
        }

        JsonElement? credential = null;
        string? name = null;
        foreach (var member in root.EnumerateObject())
        {
            switch (member.Name)
            {
                case "credential" when member.Value.ValueKind == JsonValueKind.Object:
                    credential = member.Value.Clone();
                    break;
                case "name" when member.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null:
                    name = member.Value.ValueKind == JsonValueKind.String ? member.Value.GetString() : null;
                    break;
                case "credential" or "name":
                    throw ApiJson.Malformed($"The member {member.Name} has the wrong type.");
                default:
                    throw ApiJson.UnknownField(member.Name);
            }
        }

        return credential is { } c ? (c, name) : throw ApiJson.Malformed("The member credential (PublicKeyCredential.toJSON()) is missing.");
    }

    private static DomainException NotFound() => new(DomainErrors.PasskeyNotFound, "The passkey does not exist.");

    private static Task<((OidcTenant Tenant, ActiveAccessToken Token)? Caller, IResult? Refused)> AuthenticateAsync(HttpContext http) =>
        UserBearer.AuthenticateTokenAsync(http);
}

/// <summary>The write side's credential-owner lookup, answered by the inline passkeys model (tenant-scoped).</summary>
public sealed class ProjectedPasskeyOwners(PasskeyDirectory passkeys) : IPasskeyOwners
{
    public async Task<string?> FindOwnerAsync(string tenantId, string credentialId, CancellationToken ct = default) =>
        (await passkeys.GetAsync(tenantId, credentialId, ct).ConfigureAwait(false))?.UserId;
}
