using System.Globalization;
using KoderId.Domain.ApiKeys;
using KoderId.Projections.Audit;
using KoderId.Server.Auth;
using KoderId.Server.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KoderId.Server.Api;

public sealed record AuditEntryResponse(
    long Position,
    string TenantId,
    string StreamId,
    long StreamVersion,
    string EventType,
    Guid EventId,
    string? Subject,
    string? Actor,
    string? ClientIp,
    string? UserAgent,
    DateTimeOffset OccurredAt,
    string? CorrelationId,
    string? CausationId)
{
    public static AuditEntryResponse From(AuditEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.Position, e.TenantId, e.StreamId, e.StreamVersion, e.EventType, e.EventId, e.Subject, e.Actor, e.ClientIp,
            e.UserAgent, e.OccurredAt, e.CorrelationId, e.CausationId);
    }
}

/// <summary><paramref name="Next"/> is the position to pass as <c>after</c> for the next page; null on the last page.</summary>
public sealed record AuditPageResponse(IReadOnlyList<AuditEntryResponse> Items, long? Next);

/// <summary><c>/v1/admin/audit</c>: who did what, when and from where, in the request's tenant (a blocked tenant's trail stays readable).</summary>
public static class AuditApi
{
    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/admin/audit").WithTags("Audit").RequireAuthorization(AuthSetup.TenantScope(ApiKeyScopes.AuditRead)).RequireTenant(requireActive: false);
        group.MapGet("/", SearchAsync);
        return group;
    }

    private static async Task<Ok<AuditPageResponse>> SearchAsync(
        TenantContext tenant,
        AuditLog audit,
        string? actor,
        string? subject,
        string? eventType,
        string? from,
        string? to,
        string? after,
        string? limit,
        CancellationToken ct)
    {
        var size = Paging.Limit(limit);
        var query = new AuditQuery
        {
            Actor = NullIfEmpty(actor),
            Subject = NullIfEmpty(subject),
            EventType = NullIfEmpty(eventType),
            From = Instant(from, nameof(from)),
            To = Instant(to, nameof(to)),
            AfterPosition = Position(after),
            Limit = size + 1,
        };
        var page = await audit.SearchAsync(tenant.TenantId, query, ct);
        return TypedResults.Ok(new AuditPageResponse(
            page.Take(size).Select(AuditEntryResponse.From).ToArray(),
            page.Count > size ? page[size - 1].Position : null));
    }

    private static DateTimeOffset? Instant(string? value, string name) =>
        string.IsNullOrEmpty(value) ? null
        : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) ? instant
        : throw Paging.InvalidQuery($"{name} is an RFC 3339 instant.");

    private static long Position(string? value) =>
        string.IsNullOrEmpty(value) ? 0
        : long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var position) ? position
        : throw Paging.InvalidQuery("after is a log position.");

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
