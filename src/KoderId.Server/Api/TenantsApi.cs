using KoderId.Application.Tenants;
using KoderId.Domain;
using KoderId.Projections.Tenants;
using KoderId.Server.Auth;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KoderId.Server.Api;

public sealed record CreateTenantRequest(string Id, string Name);

public sealed record RenameTenantRequest(string Name);

public sealed record BlockTenantRequest(string Reason);

public sealed record AddDomainRequest(string Domain, bool Primary = false);

public sealed record TenantDomainResponse(string Domain, bool Verified, bool Primary, DateTimeOffset AddedAt);

public sealed record TenantResponse(
    string Id,
    string Name,
    TenantStatus Status,
    string? BlockedReason,
    IReadOnlyList<TenantDomainResponse> Domains,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long Version)
{
    public static TenantResponse From(TenantView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(view.TenantId, view.Name, view.Status, view.BlockedReason,
            view.Domains.Select(d => new TenantDomainResponse(d.Domain, d.Verified, d.Primary, d.AddedAt)).ToArray(),
            view.CreatedAt, view.UpdatedAt, view.Version);
    }
}

public sealed record TenantListResponse(IReadOnlyList<TenantResponse> Items, string? Next);

/// <summary><c>/v1/admin/tenants</c>: the system admin's view of every tenant.</summary>
public static class TenantsApi
{
    public static RouteGroupBuilder MapTenantsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/admin/tenants").WithTags("Tenants").RequireAuthorization(AuthSetup.SystemAdminPolicy);

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

        group.MapPost("/", CreateAsync).Accepts<CreateTenantRequest>("application/json");
        group.MapGet("/", ListAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPatch("/{id}", RenameAsync).Accepts<RenameTenantRequest>(ApiJson.MergePatch, "application/json");
        group.MapPost("/{id}/block", BlockAsync).Accepts<BlockTenantRequest>("application/json");
        group.MapPost("/{id}/unblock", (string id, IMediator mediator, TenantDirectory tenants, CancellationToken ct) =>
            SendAsync(new UnblockTenant(id), mediator, tenants, ct));
        group.MapDelete("/{id}", (string id, IMediator mediator, TenantDirectory tenants, CancellationToken ct) =>
            SendAsync(new DeleteTenant(id), mediator, tenants, ct));
        group.MapPost("/{id}/domains", AddDomainAsync).Accepts<AddDomainRequest>("application/json");
        return group;
    }

    private static async Task<Created<TenantResponse>> CreateAsync(HttpRequest request, IMediator mediator, TenantDirectory tenants, CancellationToken ct)
    {
        var body = await ApiJson.ReadAsync<CreateTenantRequest>(request, ct);
        await mediator.Send(new CreateTenant(body.Id, body.Name), ct);
        return TypedResults.Created($"/v1/admin/tenants/{body.Id}", await RequireAsync(tenants, body.Id, ct));
    }

    private static async Task<Ok<TenantListResponse>> ListAsync(TenantDirectory tenants, string? after, string? limit, CancellationToken ct)
    {
        var size = Paging.Limit(limit);
        var page = await tenants.ListAsync(after, size + 1, ct);
        return TypedResults.Ok(new TenantListResponse(
            page.Take(size).Select(TenantResponse.From).ToArray(),
            page.Count > size ? page[size - 1].TenantId : null));
    }

    private static async Task<Ok<TenantResponse>> GetAsync(string id, TenantDirectory tenants, CancellationToken ct) =>
        TypedResults.Ok(await RequireAsync(tenants, id, ct));

    private static async Task<Ok<TenantResponse>> RenameAsync(string id, HttpRequest request, IMediator mediator, TenantDirectory tenants, CancellationToken ct)
    {
        var body = await ApiJson.ReadAsync<RenameTenantRequest>(request, ct, ApiJson.MergePatch, "application/json");
        return await SendAsync(new RenameTenant(id, body.Name), mediator, tenants, ct);
    }

    private static async Task<Ok<TenantResponse>> BlockAsync(string id, HttpRequest request, IMediator mediator, TenantDirectory tenants, CancellationToken ct)
    {
        var body = await ApiJson.ReadAsync<BlockTenantRequest>(request, ct);
        return await SendAsync(new BlockTenant(id, body.Reason), mediator, tenants, ct);
    }

    private static async Task<Ok<TenantResponse>> AddDomainAsync(string id, HttpRequest request, IMediator mediator, TenantDirectory tenants, CancellationToken ct)
    {
        var body = await ApiJson.ReadAsync<AddDomainRequest>(request, ct);
        return await SendAsync(new AddTenantDomain(id, body.Domain, body.Primary), mediator, tenants, ct);
    }

    private static async Task<Ok<TenantResponse>> SendAsync<TCommand>(TCommand command, IMediator mediator, TenantDirectory tenants, CancellationToken ct)
        where TCommand : ICommand<Application.Common.CommandResult>
    {
        var result = await mediator.Send(command, ct);
        return TypedResults.Ok(await RequireAsync(tenants, result.Id, ct));
    }

    /// <summary>The tenants model is inline: a committed command is visible to the next read.</summary>
    private static async Task<TenantResponse> RequireAsync(TenantDirectory tenants, string id, CancellationToken ct) =>
        TenantResponse.From(await tenants.GetAsync(id, ct) ?? throw new DomainException(DomainErrors.TenantNotFound, "The tenant does not exist."));
}

internal static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>Parsed here rather than bound, so a bad value is a KID2007 problem like every other refusal.</summary>
    public static int Limit(string? requested)
    {
        if (string.IsNullOrEmpty(requested))
        {
            return DefaultLimit;
        }

        return int.TryParse(requested, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxLimit
            ? n
            : throw InvalidQuery($"limit is 1 to {MaxLimit}.");
    }

    public static Errors.ApiProblemException InvalidQuery(string detail) =>
        new(StatusCodes.Status400BadRequest, Errors.ApiErrors.InvalidQuery, "The query is not valid.", detail);
}
