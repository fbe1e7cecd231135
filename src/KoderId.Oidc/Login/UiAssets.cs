using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace KoderId.Oidc.Login;

/// <summary>
/// <c>/ui/assets/{name}</c>: the hosted pages' scripts, embedded in this assembly (<c>Login/Assets/*</c>), so the
/// pages' CSP can allow same-origin scripts only and no inline one. A file added to that folder is served as is.
/// </summary>
public static class UiAssets
{
    public const string PathPrefix = "/ui/assets/";
    private const string ResourcePrefix = "ui-assets/";

    private static readonly Assembly Assembly = typeof(UiAssets).Assembly;

    public static IEndpointRouteBuilder MapUiAssets(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(PathPrefix + "{name}", ServeAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task ServeAsync(HttpContext http, string name)
    {
        var type = Path.GetExtension(name) switch
        {
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            _ => null,
        };
        using var stream = type is null || name.Contains('/', StringComparison.Ordinal) ? null : Assembly.GetManifestResourceStream(ResourcePrefix + name);
        if (stream is null)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        http.Response.ContentType = type;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.ContentLength = stream.Length;
        await stream.CopyToAsync(http.Response.Body, http.RequestAborted).ConfigureAwait(false);
    }
}
