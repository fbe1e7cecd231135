using KoderId.Application.Common;
using KoderId.Migration.Zitadel.Import;
using KoderId.Migration.Zitadel.Parsing;
using KoderId.Projections.Tenants;
using KoderId.Server.Auth;
using KoderId.Server.Errors;
using Microsoft.AspNetCore.Http.Features;

namespace KoderId.Server.Api;

/// <summary>
/// <c>POST /v1/admin/import/zitadel</c> (system admin): the body is Zitadel's admin export or an
/// <c>ImportDataRequest</c>; <c>?dry_run=true</c> plans and writes nothing. 200 with the report when every org
/// imported; 422 (KID2291) with the report and every error's JSON path when an org failed (nothing of that org is
/// written, the others are); 400 (KID2290) when the body is not an export at all (ADR 0007).
/// </summary>
public static class ImportApi
{
    /// <summary>An export of 100,000 users is about 60 MB: this endpoint alone reads up to 1 GiB.</summary>
    public const long MaxExportBytes = 1024L * 1024 * 1024;

    public static RouteGroupBuilder MapImportApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/admin/import").WithTags("Import").RequireAuthorization(AuthSetup.SystemAdminPolicy);
        group.MapPost("/zitadel", ImportZitadelAsync).Accepts<object>("application/json");
        return group;
    }

    private static async Task<IResult> ImportZitadelAsync(HttpContext http, ZitadelImporter importer, RequestContext context, CancellationToken ct)
    {
        var dryRun = http.Request.Query["dry_run"] is { Count: > 0 } values
            ? values.Count == 1 && bool.TryParse(values[0], out var parsed) ? parsed
                : throw new ApiProblemException(StatusCodes.Status400BadRequest, ApiErrors.InvalidQuery, "The query is malformed.", "dry_run is true or false.")
            : false;
        var mediaType = http.Request.ContentType is { } contentType ? contentType.Split(';')[0].Trim() : null;
        if (!string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, ApiErrors.UnsupportedMediaType,
                "The request body has an unsupported media type.", "Send application/json.");
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxExportBytes;
        }

        ImportReport report;
        try
        {
            report = await importer.ImportAsync(http.Request.Body, new ImportActor(context.Actor, context.ClientIp, context.UserAgent, context.CorrelationId),
                new ZitadelImportOptions(dryRun), ct).ConfigureAwait(false);
        }
        catch (ZitadelFormatException ex)
        {
            return TypedResults.Problem(
                detail: ex.Message,
                statusCode: StatusCodes.Status400BadRequest,
                title: "The body is not a Zitadel export.",
                extensions: new Dictionary<string, object?> { ["code"] = ApiErrors.ImportInvalidExport, ["path"] = ex.JsonPath });
        }
        finally
        {
            TenantCacheSignal.RaiseAll();
        }

        if (report.Succeeded)
        {
            return TypedResults.Ok(report);
        }

        return TypedResults.Problem(
            detail: $"{report.Errors.Count} error(s); nothing of an org with an error was imported. The first: {report.Errors[0].Path} {report.Errors[0].Reason}",
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "Part of the export was not imported.",
            extensions: new Dictionary<string, object?> { ["code"] = ApiErrors.ImportOrgsFailed, ["errors"] = report.Errors, ["report"] = report });
    }
}
