using System.Globalization;
using System.Text;
using KoderId.Application.Audit;
using KoderId.Domain.ApiKeys;
using KoderId.EventSourcing.Storage;
using KoderId.Server.Errors;
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

/// <summary>
/// Bounds the audit reads that scan the whole log (replay, as-of, verify): each is a full pass over every tenant's
/// events, so a few concurrent ones from any tenant admin could starve the token paths. Past the bound: 503 KID2285.
/// </summary>
public sealed class AuditScanGate(int slots)
{
    public const int DefaultSlots = 2;

    private readonly SemaphoreSlim _slots = new(Math.Max(1, slots), Math.Max(1, slots));

    /// <summary>A held slot, released on dispose; throws the 503 problem when none is free.</summary>
    public IDisposable Enter() =>
        _slots.Wait(0)
            ? new Slot(_slots)
            : throw new ApiProblemException(StatusCodes.Status503ServiceUnavailable, ApiErrors.AuditBusy, "Audit scans are at capacity.", "Retry after a while.");

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}

/// <summary><c>/v1/admin/audit</c>: who did what, when and from where, in the request's tenant (a blocked tenant's trail stays readable).</summary>
public static class AuditApi
{
    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/admin/audit").WithTags("Audit").RequireAuthorization(AuthSetup.TenantScope(ApiKeyScopes.AuditRead)).RequireTenant(requireActive: false);
        group.MapGet("/", SearchAsync);
        group.MapGet("/replay", Replay);
        group.MapGet("/as-of", AsOfAsync);
        group.MapGet("/verify", VerifyAsync);
        return group;
    }

    /// <summary>
    /// The tenant's history read from the log itself, filtered, streamed as it is read (JSON lines, CSV or ECS JSON
    /// lines): the inputs are checked before the first byte, so a bad one is a problem and never half a stream.
    /// </summary>
    private static IResult Replay(
        TenantContext tenant,
        AuditReplayer replayer,
        AuditScanGate gate,
        string? subject,
        string? actor,
        string[]? type,
        string? from,
        string? to,
        string? format)
    {
        var (query, chosen) = Checked(() =>
        {
            var start = string.IsNullOrEmpty(from) ? (DateTimeOffset?)null : AuditInputs.ParseInstant(from, "from");
            var end = string.IsNullOrEmpty(to) ? (DateTimeOffset?)null : AuditInputs.ParseInstant(to, "to");
            AuditInputs.CheckRange(start, end);
            var f = AuditFormats.Parse(format, AuditFormat.JsonLines);
            if (f == AuditFormat.Table)
            {
                throw new AuditInputException(AuditInputError.UnknownFormat, "format is one of jsonl, csv, ecs (the table is the CLI's).");
            }

            return (new AuditReplayQuery
            {
                TenantId = tenant.TenantId,
                Subject = AuditInputs.ParseFilter(subject, "subject"),
                Actor = AuditInputs.ParseFilter(actor, "actor"),
                EventTypes = AuditInputs.ParseEventTypes(type ?? []),
                From = start,
                To = end,
            }, f);
        });
        return new AuditStreamResult(replayer, gate, query, chosen);
    }

    /// <summary>The account as it was at <c>time</c>, rebuilt from the log (KID1400 when it did not exist then).</summary>
    private static async Task<IResult> AsOfAsync(TenantContext tenant, AccountHistory history, AuditScanGate gate, string? time, string? user, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(time) || string.IsNullOrEmpty(user))
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, ApiErrors.AuditMissingParameter, "The query is not valid.", "time and user are required.");
        }

        var (at, userId) = Checked(() => (AuditInputs.ParseInstant(time, "time"), AuditInputs.ParseFilter(user, "user")!));
        using var slot = gate.Enter();
        var account = await history.AsOfAsync(tenant.TenantId, userId, at, ct);
        return Results.Json(account, AccountJson.Options);
    }

    /// <summary>
    /// Proves the chain for the request's tenant: its events' links by name, a break elsewhere by position only.
    /// <c>scope=log</c> names every link of the whole log, for the system admin only (403 KID2002 for a tenant key).
    /// </summary>
    private static async Task<IResult> VerifyAsync(HttpContext http, TenantContext tenant, IEventStore store, AuditScanGate gate, string? scope, CancellationToken ct)
    {
        var wholeLog = scope switch
        {
            null or "" or "tenant" => false,
            "log" => http.User.IsInRole(AuthSetup.SystemAdminRole)
                ? true
                : throw new ApiProblemException(StatusCodes.Status403Forbidden, ApiErrors.Forbidden, "The credential does not allow this request.", "Only the system admin verifies the whole log."),
            _ => throw new ApiProblemException(StatusCodes.Status400BadRequest, ApiErrors.AuditBadFilter, "The query is not valid.", "scope is tenant or log."),
        };
        ChainVerification result;
        using (gate.Enter())
        {
            result = await HashChainVerifier.VerifyAsync(store, wholeLog ? null : tenant.TenantId, null, ct);
        }

        var head = await store.ReadHeadAsync(ct);
        var broken = result.Broken;
        return Results.Json(new
        {
            valid = result.IsValid,
            tenantId = wholeLog ? null : tenant.TenantId,
            eventsChecked = result.EventsChecked,
            tenantEventsChecked = result.TenantEventsChecked,
            firstBrokenPosition = result.FirstBrokenPosition,
            problem = result.Problem,
            brokenLink = broken is null ? null : new
            {
                position = broken.Position,
                tenantId = broken.TenantId,
                streamId = broken.StreamId,
                eventId = broken.EventId,
                expectedHash = broken.ExpectedHash is null ? null : Convert.ToHexStringLower(broken.ExpectedHash),
                foundHash = broken.FoundHash is null ? null : Convert.ToHexStringLower(broken.FoundHash),
                outsideTenant = result.BrokenOutsideTenant,
            },
            headPosition = result.IsValid ? head.Position : (long?)null,
            headHash = result.IsValid ? Convert.ToHexStringLower(head.Hash) : null,
        });
    }

    private static T Checked<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (AuditInputException ex)
        {
            var code = ex.Error switch
            {
                AuditInputError.BadTime => ApiErrors.AuditBadTime,
                AuditInputError.EmptyRange => ApiErrors.AuditEmptyRange,
                AuditInputError.UnknownFormat => ApiErrors.AuditUnknownFormat,
                AuditInputError.MissingParameter => ApiErrors.AuditMissingParameter,
                _ => ApiErrors.AuditBadFilter,
            };
            throw new ApiProblemException(StatusCodes.Status400BadRequest, code, "The query is not valid.", ex.Message);
        }
    }

    /// <summary>
    /// Writes the replay as it is read. Records go through a bounded text buffer flushed asynchronously (Kestrel
    /// refuses synchronous writes), so neither the range nor the response is ever held whole.
    /// </summary>
    private sealed class AuditStreamResult(AuditReplayer replayer, AuditScanGate gate, AuditReplayQuery query, AuditFormat format) : IResult
    {
        private const int FlushChars = 32 * 1024;

        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var ct = httpContext.RequestAborted;
            using var slot = gate.Enter();
            var writer = AuditFormats.CreateWriter(format);
            var text = new StringBuilder(FlushChars + 4096);
            using var buffer = new StringWriter(text, CultureInfo.InvariantCulture);
            await using var enumerator = replayer.ReplayAsync(query, null, ct).GetAsyncEnumerator(ct);

            // The first read happens before the status is sent: a store failure there is still a problem document.
            var any = await enumerator.MoveNextAsync();
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = AuditFormats.ContentType(format);
            httpContext.Response.Headers.CacheControl = "no-store";
            await using var body = new StreamWriter(httpContext.Response.Body, new UTF8Encoding(false), 16 * 1024, leaveOpen: true);
            writer.WriteHeader(buffer);
            while (any)
            {
                writer.Write(buffer, enumerator.Current);
                if (text.Length >= FlushChars)
                {
                    await body.WriteAsync(text, ct);
                    await body.FlushAsync(ct);
                    text.Clear();
                }

                any = await enumerator.MoveNextAsync();
            }

            await body.WriteAsync(text, ct);
            await body.FlushAsync(ct);
        }
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
