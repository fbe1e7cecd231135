using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using KoderId.Application.Users;
using KoderId.Domain;
using KoderId.Domain.ApiKeys;
using KoderId.Server.Auth;
using KoderId.Server.Tenancy;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KoderId.Server.Api;

/// <summary>One entry: <paramref name="Value"/> is the bytes in base64; <paramref name="Text"/> the same bytes as text when they are UTF-8.</summary>
public sealed record UserMetadataEntry(string Key, string Value, string? Text);

public sealed record UserMetadataResponse(IReadOnlyList<UserMetadataEntry> Items);

/// <summary>A value as base64 bytes (<c>value</c>, Zitadel's form) or as text stored as UTF-8 (<c>text</c>), exactly one.</summary>
public sealed record SetUserMetadataRequest(string? Value = null, string? Text = null);

/// <summary>
/// <c>/v1/users/{id}/metadata</c>: a user's key-value metadata, as Zitadel keeps it (values are bytes) and Keycloak's
/// user attributes are used. Read from the user's stream, so a write is visible to the next read.
/// </summary>
public static class UserMetadataApi
{
    public static RouteGroupBuilder MapUserMetadataApi(this RouteGroupBuilder users)
    {
        ArgumentNullException.ThrowIfNull(users);
        var read = AuthSetup.TenantScope(ApiKeyScopes.UsersRead, DomainErrors.UserNotFound, "The user does not exist.");
        var write = AuthSetup.TenantScope(ApiKeyScopes.UsersWrite, DomainErrors.UserNotFound, "The user does not exist.");
        users.MapGet("/{id}/metadata", ListAsync).RequireAuthorization(read);
        users.MapPatch("/{id}/metadata", PatchAsync).Accepts<Dictionary<string, string?>>(ApiJson.MergePatch, "application/json").RequireAuthorization(write);
        users.MapGet("/{id}/metadata/{key}", GetAsync).RequireAuthorization(read);
        users.MapPut("/{id}/metadata/{key}", PutAsync).Accepts<SetUserMetadataRequest>("application/json").RequireAuthorization(write);
        users.MapDelete("/{id}/metadata/{key}", DeleteAsync).RequireAuthorization(write);
        return users;
    }

    private static async Task<Ok<UserMetadataResponse>> ListAsync(string id, TenantContext tenant, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(ToResponse(await mediator.Send(new GetUserMetadata(tenant.TenantId, id), ct)));

    private static async Task<Ok<UserMetadataEntry>> GetAsync(string id, string key, TenantContext tenant, IMediator mediator, CancellationToken ct)
    {
        var metadata = await mediator.Send(new GetUserMetadata(tenant.TenantId, id), ct);
        return metadata.TryGetValue(PathKey(key), out var value)
            ? TypedResults.Ok(ToEntry(key, value))
            : throw new DomainException(DomainErrors.UserMetadataNotFound, "The user has no metadata entry with this key.");
    }

    private static async Task<Ok<UserMetadataEntry>> PutAsync(string id, string key, HttpRequest request, TenantContext tenant, IMediator mediator, CancellationToken ct)
    {
        var body = await ApiJson.ReadAsync<SetUserMetadataRequest>(request, ct);
        var bytes = (body.Value, body.Text) switch
        {
            ({ } value, null) => DecodeValue(value),
            (null, { } text) => Encoding.UTF8.GetBytes(text),
            _ => throw InvalidValue("Send the value as exactly one of 'value' (base64) and 'text'."),
        };

        await mediator.Send(new ChangeUserMetadata(tenant.TenantId, id, [new(PathKey(key), bytes)]), ct);
        return TypedResults.Ok(ToEntry(key, Convert.ToBase64String(bytes)));
    }

    /// <summary>RFC 7396 on the key-value object: a member with a base64 string sets its key, a JSON null removes it; all in one append.</summary>
    private static async Task<Ok<UserMetadataResponse>> PatchAsync(string id, HttpRequest request, TenantContext tenant, IMediator mediator, CancellationToken ct)
    {
        using var document = await ApiJson.ReadDocumentAsync(request, ct, ApiJson.MergePatch, "application/json");
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw ApiJson.Malformed("A merge patch of metadata is a JSON object of keys to base64 values or null.");
        }

        var changes = new List<KeyValuePair<string, byte[]?>>();
        foreach (var member in document.RootElement.EnumerateObject())
        {
            changes.Add(new(member.Name, member.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => DecodeValue(member.Value.GetString()!),
                _ => throw ApiJson.Malformed("Each member of a metadata patch is a base64 string or null."),
            }));
        }

        await mediator.Send(new ChangeUserMetadata(tenant.TenantId, id, changes), ct);
        return TypedResults.Ok(ToResponse(await mediator.Send(new GetUserMetadata(tenant.TenantId, id), ct)));
    }

    private static async Task<NoContent> DeleteAsync(string id, string key, TenantContext tenant, IMediator mediator, CancellationToken ct)
    {
        await mediator.Send(new RemoveUserMetadata(tenant.TenantId, id, PathKey(key)), ct);
        return TypedResults.NoContent();
    }

    private static byte[] DecodeValue(string value) =>
        MetadataValues.TryDecode(value, out var bytes) ? bytes : throw InvalidValue("A metadata value is base64 (standard or URL-safe alphabet).");

    /// <summary>
    /// The key from the path. ASP.NET Core decodes every escape of a path segment but <c>%2F</c>, which it leaves as it is
    /// so the segment stays one: that is a '/' the client meant, and keys hold none (KID1024).
    /// </summary>
    private static string PathKey(string key) =>
        key.Contains("%2F", StringComparison.OrdinalIgnoreCase)
            ? throw new DomainException(DomainErrors.UserInvalidMetadataKey, "A metadata key holds no '/'.")
            : key;

    private static DomainException InvalidValue(string detail) => new(DomainErrors.UserInvalidMetadataValue, detail);

    private static UserMetadataResponse ToResponse(ImmutableSortedDictionary<string, string> metadata) =>
        new([.. metadata.Select(e => ToEntry(e.Key, e.Value))]);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static UserMetadataEntry ToEntry(string key, string base64)
    {
        string? text;
        try
        {
            text = StrictUtf8.GetString(Convert.FromBase64String(base64));
        }
        catch (ArgumentException)
        {
            text = null;
        }

        return new UserMetadataEntry(key, base64, text);
    }
}
