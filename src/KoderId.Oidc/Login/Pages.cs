using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Login;

/// <summary>
/// The hosted pages: server-rendered HTML with no external asset (one inline style allowed by its hash; scripts
/// only from this origin's <c>/ui/assets/</c>, never inline), never framed, never cached. Every value written into the page goes through the HTML encoder.
/// </summary>
public static class Pages
{
    private const string Style = """
        body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0}
        main{max-width:24rem;margin:8vh auto;background:#fff;padding:2rem;border-radius:.5rem;box-shadow:0 1px 4px #0002}
        h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .3rem;font-weight:600}
        input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #99a;border-radius:.3rem;font-size:1rem}
        button{margin-top:1.2rem;padding:.6rem 1.2rem;font-size:1rem;border:0;border-radius:.3rem;background:#2450d3;color:#fff;cursor:pointer}
        button.secondary{background:#667}a.button{display:inline-block;margin-top:1.2rem;padding:.6rem 1.2rem;border-radius:.3rem;background:#2450d3;color:#fff;text-decoration:none}.error{color:#a1121d;background:#fde8ea;padding:.6rem;border-radius:.3rem}
        ul{padding-left:1.2rem}
        """;

    private static readonly string StyleHash = "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style))) + "'";

    public static string Encode(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    /// <summary>Writes a page with the security headers; <paramref name="formTargets"/> are the origins a form on it may end up at.</summary>
    public static Task WriteAsync(HttpContext http, int status, string title, string body, IEnumerable<string>? formTargets = null) =>
        WriteAsync(http, status, title, body, formTargets, []);

    /// <summary>
    /// A page that loads same-origin scripts in its head (<c>/ui/assets/...</c>, never inline: every page's CSP allows
    /// <c>script-src 'self'</c> and <c>connect-src 'self'</c> and nothing else).
    /// </summary>
    public static Task WriteAsync(HttpContext http, int status, string title, string body, IEnumerable<string>? formTargets, IReadOnlyList<string> scripts)
    {
        ArgumentNullException.ThrowIfNull(scripts);
        ArgumentNullException.ThrowIfNull(http);
        var response = http.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        var formAction = string.Join(' ', new[] { "'self'" }.Concat(formTargets ?? []));

        // form-action also governs the redirects that follow a form post (login → authorize → the client), so
        // the client's redirect origin is listed; frame-ancestors 'none' refuses every frame (clickjacking).
        response.Headers.ContentSecurityPolicy =
            $"default-src 'none'; script-src 'self'; connect-src 'self'; style-src {StyleHash}; img-src 'self' data:; form-action {formAction}; frame-ancestors 'none'; base-uri 'none'";
        response.Headers.XFrameOptions = "DENY";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        var html = $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>{Encode(title)}</title>
            <style>{Style}</style>
            {string.Concat(scripts.Select(src => $"<script src=\"{Encode(src)}\" defer></script>"))}
            </head>
            <body>
            <main>
            {body}
            </main>
            </body>
            </html>
            """;
        return response.WriteAsync(html, http.RequestAborted);
    }

    /// <summary>An error the browser is not redirected away from (an untrusted client or redirect URI, a broken request).</summary>
    public static Task ErrorAsync(HttpContext http, int status, string message) =>
        WriteAsync(http, status, "Sign-in error", $"""
            <h1>Sign-in error</h1>
            <p class="error" role="alert">{Encode(message)}</p>
            <p>Return to the application and try again.</p>
            """);

    /// <summary>A hosted page's posted form after the content-type and antiforgery checks; null when an error page was written.</summary>
    public static async Task<IFormCollection?> ReadFormAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!http.Request.HasFormContentType)
        {
            await ErrorAsync(http, StatusCodes.Status415UnsupportedMediaType, "The form must be posted as application/x-www-form-urlencoded.").ConfigureAwait(false);
            return null;
        }

        try
        {
            await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException)
        {
            await ErrorAsync(http, StatusCodes.Status400BadRequest, "The form expired or was not sent by this page. Go back and try again.").ConfigureAwait(false);
            return null;
        }

        return await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
    }
}
