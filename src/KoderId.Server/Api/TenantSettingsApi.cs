using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Application.Tenants;
using KoderId.Domain;
using KoderId.Events.Tenants;
using KoderId.Projections.Tenants;
using KoderId.Server.Auth;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KoderId.Server.Api;

/// <summary>
/// <c>/v1/admin/tenants/{id}/settings</c>: the system admin or the tenant's own <c>admin</c> key reads the settings
/// and changes them with a JSON merge patch (RFC 7396) whose target is exactly what GET answers. A member set to
/// null goes back to its default; a member the settings do not have is KID2004, nothing is written on any refusal.
/// </summary>
public static class TenantSettingsApi
{
    public static RouteGroupBuilder MapTenantSettingsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/admin/tenants/{id}/settings").WithTags("Tenants").RequireAuthorization(AuthSetup.RouteTenantAdmin());

        // The projection clears the tenant cache inside the append's transaction; clear it again once committed.
        group.AddEndpointFilter(async (invocation, next) =>
        {
            var result = await next(invocation).ConfigureAwait(false);
            if (!HttpMethods.IsGet(invocation.HttpContext.Request.Method))
            {
                TenantCacheSignal.RaiseAll();
            }

            return result;
        });
        group.MapGet("/", GetAsync);
        group.MapPatch("/", PatchAsync).Accepts<TenantSettings>(ApiJson.MergePatch, "application/json");
        return group;
    }

    private static async Task<Ok<TenantSettings>> GetAsync(string id, TenantDirectory tenants, CancellationToken ct) =>
        TypedResults.Ok((await RequireAsync(tenants, id, ct)).Settings);

    private static async Task<Ok<TenantSettings>> PatchAsync(
        string id, HttpRequest request, IMediator mediator, TenantDirectory tenants, TenantSettingsDirectory cache, CancellationToken ct)
    {
        using var patch = await ApiJson.ReadDocumentAsync(request, ct, ApiJson.MergePatch, "application/json");
        if (patch.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw ApiJson.Malformed("The body must be a JSON object.");
        }

        var current = (await RequireAsync(tenants, id, ct)).Settings;
        var target = ToNode(current);
        Merge(target, JsonObject.Create(patch.RootElement)!, ToNode(TenantSettings.Default), "");
        TenantSettings merged;
        try
        {
            merged = target.Deserialize<TenantSettings>(ApiJson.Options) ?? throw ApiJson.Malformed("The body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw ApiJson.Malformed(ex.Path is null ? "The body does not fit the settings." : $"The member at {ex.Path} has the wrong type.");
        }

        var result = await mediator.Send(new ChangeTenantSettings(id, merged), ct);
        cache.Invalidate(result.Id);
        return TypedResults.Ok((await RequireAsync(tenants, result.Id, ct)).Settings);
    }

    private static JsonObject ToNode(TenantSettings settings) => JsonSerializer.SerializeToNode(settings, ApiJson.Options)!.AsObject();

    /// <summary>RFC 7396 onto <paramref name="target"/>, except that null restores the default and an unknown member is refused.</summary>
    private static void Merge(JsonObject target, JsonObject patch, JsonObject defaults, string path)
    {
        foreach (var (name, value) in patch.ToArray())
        {
            if (!target.ContainsKey(name))
            {
                throw ApiJson.UnknownField(path + name);
            }

            if (value is null)
            {
                target[name] = defaults[name]?.DeepClone();
            }
            else if (value is JsonObject inner && target[name] is JsonObject existing && defaults[name] is JsonObject innerDefaults)
            {
                Merge(existing, inner, innerDefaults, path + name + ".");
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }
    }

    private static async Task<TenantView> RequireAsync(TenantDirectory tenants, string id, CancellationToken ct) =>
        await tenants.GetAsync(id, ct) ?? throw new DomainException(DomainErrors.TenantNotFound, "The tenant does not exist.");
}
