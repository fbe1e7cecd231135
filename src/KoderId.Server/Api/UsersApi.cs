using System.Text.Json;
using KoderId.Application.Common;
using KoderId.Application.Users;
using KoderId.Domain;
using KoderId.Domain.ApiKeys;
using KoderId.Domain.Users;
using KoderId.Projections.Users;
using KoderId.Server.Auth;
using KoderId.Server.Tenancy;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using ViewStatus = KoderId.Projections.Users.UserStatus;

namespace KoderId.Server.Api;

public sealed record CreateUserRequest(
    string Username,
    string? Email = null,
    bool EmailVerified = false,
    string? GivenName = null,
    string? FamilyName = null,
    string? DisplayName = null,
    string? Phone = null,
    string? PreferredLanguage = null);

/// <summary>The profile members a merge patch may carry (RFC 7396: absent leaves a field, null clears it).</summary>
public sealed record UserProfilePatchRequest(
    string? GivenName = null,
    string? FamilyName = null,
    string? DisplayName = null,
    string? Phone = null,
    string? PreferredLanguage = null);

public sealed record ChangeEmailRequest(string Email, bool Verified = false);

public sealed record VerifyEmailRequest(string Email);

public sealed record DisableUserRequest(string? Reason = null);

public sealed record UserResponse(
    string Id,
    string TenantId,
    string? Username,
    string? Email,
    bool EmailVerified,
    string? GivenName,
    string? FamilyName,
    string? DisplayName,
    string? Phone,
    string? PreferredLanguage,
    ViewStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long Version)
{
    public static UserResponse From(UserView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(view.UserId, view.TenantId, view.Username, view.Email, view.EmailVerified, view.GivenName, view.FamilyName,
            view.DisplayName, view.Phone, view.PreferredLanguage, view.Status, view.CreatedAt, view.UpdatedAt, view.Version);
    }
}

public sealed record UserListResponse(IReadOnlyList<UserResponse> Items, string? Next);

/// <summary><c>/v1/users</c> of the request's tenant (Host, <c>X-Tenant-ID</c>, else default); a blocked tenant is refused.</summary>
public static class UsersApi
{
    private static readonly string[] ProfileMembers = ["givenName", "familyName", "displayName", "phone", "preferredLanguage"];

    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder routes)
    {
        // The system admin, or a key of the request's tenant with users:read / users:write (admin implies both);
        // another tenant's key gets KID1011 for an id, as if the user did not exist, and 403 on the collection.
        var read = AuthSetup.TenantScope(ApiKeyScopes.UsersRead, DomainErrors.UserNotFound, "The user does not exist.");
        var write = AuthSetup.TenantScope(ApiKeyScopes.UsersWrite, DomainErrors.UserNotFound, "The user does not exist.");
        var group = routes.MapGroup("/v1/users").WithTags("Users").RequireTenant(requireActive: true);

        group.MapPost("/", CreateAsync).Accepts<CreateUserRequest>("application/json").RequireAuthorization(write);
        group.MapGet("/", ListAsync).RequireAuthorization(read);
        group.MapGet("/{id}", GetAsync).RequireAuthorization(read);
        group.MapPatch("/{id}", PatchAsync).Accepts<UserProfilePatchRequest>(ApiJson.MergePatch, "application/json").RequireAuthorization(write);
        group.MapPut("/{id}/email", ChangeEmailAsync).Accepts<ChangeEmailRequest>("application/json").RequireAuthorization(write);
        group.MapPost("/{id}/email/verify", VerifyEmailAsync).Accepts<VerifyEmailRequest>("application/json").RequireAuthorization(write);
        group.MapPost("/{id}/disable", DisableAsync).Accepts<DisableUserRequest>("application/json").RequireAuthorization(write);
        group.MapPost("/{id}/enable", (string id, TenantContext tenant, IMediator mediator, UserDirectory users, CancellationToken ct) =>
            SendAsync(new EnableUser(tenant.TenantId, id), tenant.TenantId, mediator, users, ct)).RequireAuthorization(write);
        group.MapDelete("/{id}", (string id, TenantContext tenant, IMediator mediator, UserDirectory users, CancellationToken ct) =>
            SendAsync(new DeleteUser(tenant.TenantId, id), tenant.TenantId, mediator, users, ct)).RequireAuthorization(write);
        // ADR 0006: lifts a lockout before it ends (user.unlocked.v1) and forgives the failures counted so far.
        group.MapPost("/{id}/unlock", (string id, TenantContext tenant, IMediator mediator, UserDirectory users, CancellationToken ct) =>
            SendAsync(new UnlockUser(tenant.TenantId, id), tenant.TenantId, mediator, users, ct)).RequireAuthorization(write);
        group.MapPost("/{id}/restore", (string id, TenantContext tenant, IMediator mediator, UserDirectory users, CancellationToken ct) =>
            SendAsync(new RestoreUser(tenant.TenantId, id), tenant.TenantId, mediator, users, ct)).RequireAuthorization(write);
        group.MapPost("/{id}/erase", (string id, TenantContext tenant, IMediator mediator, UserDirectory users, CancellationToken ct) =>
            SendAsync(new EraseUser(tenant.TenantId, id), tenant.TenantId, mediator, users, ct)).RequireAuthorization(write);
        return group;
    }

    private static async Task<Created<UserResponse>> CreateAsync(HttpRequest request, TenantContext tenant, IMediator mediator, UserDirectory users, CancellationToken ct)
    {
        var body = await ApiJson.ReadAsync<CreateUserRequest>(request, ct);
        var profile = new UserProfile(body.GivenName, body.FamilyName, body.DisplayName, body.Phone, body.PreferredLanguage);
        var created = await mediator.Send(new CreateUser(tenant.TenantId, body.Username, body.Email, body.EmailVerified, profile), ct);
        return TypedResults.Created($"/v1/users/{created.UserId}", await RequireAsync(users, tenant.TenantId, created.UserId, ct));
    }

    private static async Task<Ok<UserListResponse>> ListAsync(
        TenantContext tenant, UserDirectory users, string? after, string? limit, string? username, string? email, string? status, string? group, CancellationToken ct)
    {
        var size = Paging.Limit(limit);
        ViewStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            wanted = Enum.TryParse<ViewStatus>(status, ignoreCase: true, out var parsed) && !int.TryParse(status, out _)
                ? parsed
                : throw Paging.InvalidQuery("status is one of active, disabled, deleted, erased.");
        }

        var page = await users.ListAsync(tenant.TenantId, new UserFilter(NullIfEmpty(username), NullIfEmpty(email), wanted, NullIfEmpty(group)), after, size + 1, ct);
        return TypedResults.Ok(new UserListResponse(
            page.Take(size).Select(UserResponse.From).ToArray(),
            page.Count > size ? page[size - 1].UserId : null));
    }

    private static async Task<Ok<UserResponse>> GetAsync(string id, TenantContext tenant, UserDirectory users, CancellationToken ct) =>
        TypedResults.Ok(await RequireAsync(users, tenant.TenantId, id, ct));

    private static async Task<Ok<UserResponse>> PatchAsync(string id, HttpRequest request, TenantContext tenant, IMediator mediator, UserDirectory users, CancellationToken ct)
    {
        using var document = await ApiJson.ReadDocumentAsync(request, ct, ApiJson.MergePatch, "application/json");
        return await SendAsync(new UpdateUserProfile(tenant.TenantId, id, ToPatch(document.RootElement)), tenant.TenantId, mediator, users, ct);
    }

    private static async Task<Ok<UserResponse>> ChangeEmailAsync(string id, HttpRequest request, TenantContext tenant, IMediator mediator, UserDirectory users, CancellationToken ct)
    {
        var body = await ApiJson.ReadAsync<ChangeEmailRequest>(request, ct);
        return await SendAsync(new ChangeUserEmail(tenant.TenantId, id, body.Email, body.Verified), tenant.TenantId, mediator, users, ct);
    }

    private static async Task<Ok<UserResponse>> VerifyEmailAsync(string id, HttpRequest request, TenantContext tenant, IMediator mediator, UserDirectory users, CancellationToken ct)
    {
        var body = await ApiJson.ReadAsync<VerifyEmailRequest>(request, ct);
        return await SendAsync(new VerifyUserEmail(tenant.TenantId, id, body.Email), tenant.TenantId, mediator, users, ct);
    }

    private static async Task<Ok<UserResponse>> DisableAsync(string id, HttpRequest request, TenantContext tenant, IMediator mediator, UserDirectory users, CancellationToken ct)
    {
        // The body (a reason) is optional: an empty POST disables too.
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        var body = hasBody ? await ApiJson.ReadAsync<DisableUserRequest>(request, ct) : new DisableUserRequest();
        return await SendAsync(new DisableUser(tenant.TenantId, id, body.Reason), tenant.TenantId, mediator, users, ct);
    }

    /// <summary>RFC 7396 on a flat object: each member present is a change, a JSON null clears the field.</summary>
    private static UserProfilePatch ToPatch(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw ApiJson.Malformed("A merge patch of a profile is a JSON object.");
        }

        var changes = new Dictionary<string, FieldChange>(StringComparer.Ordinal);
        foreach (var member in root.EnumerateObject())
        {
            if (!ProfileMembers.Contains(member.Name, StringComparer.Ordinal))
            {
                throw ApiJson.UnknownField(member.Name);
            }

            changes[member.Name] = member.Value.ValueKind switch
            {
                JsonValueKind.Null => FieldChange.To(null),
                JsonValueKind.String => FieldChange.To(member.Value.GetString()),
                _ => throw ApiJson.Malformed($"The member '{member.Name}' must be a string or null."),
            };
        }

        FieldChange? Change(string name) => changes.TryGetValue(name, out var change) ? change : null;
        return new UserProfilePatch(Change("givenName"), Change("familyName"), Change("displayName"), Change("phone"), Change("preferredLanguage"));
    }

    private static async Task<Ok<UserResponse>> SendAsync<TCommand>(TCommand command, string tenantId, IMediator mediator, UserDirectory users, CancellationToken ct)
        where TCommand : ICommand<CommandResult>
    {
        var result = await mediator.Send(command, ct);
        return TypedResults.Ok(await RequireAsync(users, tenantId, result.Id, ct));
    }

    /// <summary>The users model is inline: a committed command is visible to the next read. Another tenant's id is the same 404.</summary>
    private static async Task<UserResponse> RequireAsync(UserDirectory users, string tenantId, string userId, CancellationToken ct) =>
        UserResponse.From(await users.GetAsync(tenantId, userId, ct) ?? throw new DomainException(DomainErrors.UserNotFound, "The user does not exist."));

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
