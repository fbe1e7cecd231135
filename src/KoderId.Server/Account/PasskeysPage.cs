using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Application.Common;
using KoderId.Application.Passkeys;
using KoderId.Domain;
using KoderId.Oidc.Authorize;
using KoderId.Oidc.Common;
using KoderId.Oidc.Login;
using KoderId.Projections.Passkeys;
using KoderId.Server.Api;
using KoderId.Server.Errors;
using Mediator;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.WebUtilities;

namespace KoderId.Server.Account;

/// <summary>
/// <c>/ui/account/passkeys</c>: the signed-in user's passkeys — list, add, rename, delete — on the SSO cookie.
/// Without a session every request goes (303) to <c>/ui/login?return=...</c>. Adding and deleting are sensitive:
/// they need a sign-in within the last five minutes, else <c>/ui/login?return=...&amp;prompt=login</c> (the JSON
/// calls answer 401 KID2231 with that address in <c>reauthenticate</c>). Rename and delete are form posts
/// (antiforgery, 303); adding runs in <c>/ui/assets/passkeys.js</c>, whose JSON calls carry the antiforgery token
/// in a header. The relying party is the tenant's issuer origin and its host, never a request header.
/// </summary>
public static class PasskeysPage
{
    public const string Path = "/ui/account/passkeys";
    public const string Script = "/ui/assets/passkeys.js";
    public static readonly TimeSpan ReauthenticationWindow = TimeSpan.FromMinutes(5);

    private static readonly Lazy<string> ScriptText = new(() =>
    {
        using var stream = typeof(PasskeysPage).Assembly.GetManifestResourceStream("KoderId.Server.Account.passkeys.js")
            ?? throw new InvalidOperationException("passkeys.js is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static IEndpointRouteBuilder MapPasskeysPage(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(Path, PageAsync).ExcludeFromDescription().AllowAnonymous();
        endpoints.MapPost(Path + "/registration-options", OptionsAsync).ExcludeFromDescription().AllowAnonymous().DisableAntiforgery();
        endpoints.MapPost(Path + "/register", RegisterAsync).ExcludeFromDescription().AllowAnonymous().DisableAntiforgery();
        endpoints.MapPost(Path + "/rename", RenameAsync).ExcludeFromDescription().AllowAnonymous().DisableAntiforgery();
        endpoints.MapPost(Path + "/delete", DeleteAsync).ExcludeFromDescription().AllowAnonymous().DisableAntiforgery();
        endpoints.MapGet(Script, ScriptAsync).ExcludeFromDescription().AllowAnonymous();
        return endpoints;
    }

    private static Task ScriptAsync(HttpContext http)
    {
        http.Response.ContentType = "text/javascript; charset=utf-8";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "no-cache";
        return http.Response.WriteAsync(ScriptText.Value, http.RequestAborted);
    }

    private static async Task PageAsync(HttpContext http)
    {
        var (tenant, session) = await SessionAsync(http);
        if (session is null)
        {
            SeeOther(http, LoginPath(prompt: false));
            return;
        }

        var passkeys = await http.RequestServices.GetRequiredService<PasskeyDirectory>().ListForUserAsync(tenant.TenantId, session.UserId, http.RequestAborted);
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        var csrf = $"<input type=\"hidden\" name=\"{Pages.Encode(tokens.FormFieldName)}\" value=\"{Pages.Encode(tokens.RequestToken)}\">";
        var items = string.Concat(passkeys.Select(p => $"""
            <li class="passkey" data-id="{Pages.Encode(p.CredentialId)}">
            <strong>{Pages.Encode(p.Name)}</strong><br>
            <small>Added {Date(p.CreatedAt)}{(p.LastUsedAt is { } used ? ", last used " + Date(used) : ", never used")}{(p.BackupState ? ", synced" : "")}</small>
            <form method="post" action="{Path}/rename">{csrf}<input type="hidden" name="id" value="{Pages.Encode(p.CredentialId)}">
            <label for="name-{Pages.Encode(p.CredentialId)}">Name</label>
            <input type="text" id="name-{Pages.Encode(p.CredentialId)}" name="name" maxlength="100" required value="{Pages.Encode(p.Name)}">
            <button type="submit">Rename</button></form>
            <form method="post" action="{Path}/delete">{csrf}<input type="hidden" name="id" value="{Pages.Encode(p.CredentialId)}">
            <button type="submit" class="secondary">Delete</button></form>
            </li>
            """));
        var error = http.Request.Query["e"].ToString() switch
        {
            "name" => "<p class=\"error\" role=\"alert\">A name is 1 to 100 characters.</p>",
            "missing" => "<p class=\"error\" role=\"alert\">That passkey no longer exists.</p>",
            _ => "",
        };
        var body = $"""
            <h1>Passkeys</h1>
            <p>Sign in with your device's screen lock, fingerprint or face, or a security key, instead of a password.</p>
            {error}
            <p id="passkey-status" role="status"></p>
            {(passkeys.Count == 0 ? "<p id=\"passkey-empty\">You have no passkeys yet.</p>" : $"<ul id=\"passkey-list\">{items}</ul>")}
            <div id="passkey-register" data-csrf="{Pages.Encode(tokens.RequestToken)}" data-options="{Path}/registration-options" data-register="{Path}/register">
            <label for="passkey-name">Name for a new passkey (optional)</label>
            <input type="text" id="passkey-name" maxlength="100" autocomplete="off">
            <button type="button" id="passkey-add">Add a passkey</button>
            </div>
            """;
        await Pages.WriteAsync(http, StatusCodes.Status200OK, "Passkeys", body, null, [Script]);
    }

    private static async Task<IResult> OptionsAsync(HttpContext http, IMediator mediator)
    {
        var (tenant, session) = await RequireJsonSessionAsync(http, sensitive: true);
        var options = await mediator.Send(new BeginPasskeyRegistration(tenant.TenantId, session.UserId, PasskeysApi.RelyingPartyOf(tenant)), http.RequestAborted);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Json(new JsonObject { ["publicKey"] = options }, ApiJson.Options);
    }

    private static async Task<IResult> RegisterAsync(HttpContext http, IMediator mediator)
    {
        var (tenant, session) = await RequireJsonSessionAsync(http, sensitive: true);
        using var document = await ApiJson.ReadDocumentAsync(http.Request, http.RequestAborted, "application/json");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("credential", out var credential) || credential.ValueKind != JsonValueKind.Object)
        {
            throw ApiJson.Malformed("The member credential (PublicKeyCredential.toJSON()) is missing.");
        }

        var name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(n.GetString()) ? n.GetString() : null;
        var registered = await mediator.Send(new RegisterPasskey(tenant.TenantId, session.UserId, PasskeysApi.RelyingPartyOf(tenant), credential, name), http.RequestAborted);
        return Results.Json(new { id = registered.CredentialId, name = registered.Name }, ApiJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task RenameAsync(HttpContext http)
    {
        var (tenant, session, form) = await FormSessionAsync(http, sensitive: false);
        if (session is null || form is null)
        {
            return;
        }

        var code = await TryAsync(http, new RenamePasskey(tenant.TenantId, session.UserId, form["id"].ToString(), form["name"].ToString()));
        SeeOther(http, code switch
        {
            null => Path,
            DomainErrors.PasskeyInvalidName => Path + "?e=name",
            _ => Path + "?e=missing",
        });
    }

    private static async Task DeleteAsync(HttpContext http)
    {
        var (tenant, session, form) = await FormSessionAsync(http, sensitive: true);
        if (session is null || form is null)
        {
            return;
        }

        var code = await TryAsync(http, new RemovePasskey(tenant.TenantId, session.UserId, form["id"].ToString(), "user"));
        SeeOther(http, code is null ? Path : Path + "?e=missing");
    }

    private static async Task<string?> TryAsync<T>(HttpContext http, ICommand<T> command)
    {
        try
        {
            await http.RequestServices.GetRequiredService<IMediator>().Send(command, http.RequestAborted);
            return null;
        }
        catch (DomainException ex) when (ex.Code is DomainErrors.PasskeyInvalidName or DomainErrors.PasskeyNotFound)
        {
            return ex.Code;
        }
    }

    /// <summary>The form's session after the content-type, antiforgery and session checks; a response was written when it is null.</summary>
    private static async Task<(OidcTenant Tenant, SsoSession? Session, IFormCollection? Form)> FormSessionAsync(HttpContext http, bool sensitive)
    {
        var (tenant, session) = await SessionAsync(http);
        if (session is null)
        {
            SeeOther(http, LoginPath(prompt: false));
            return (tenant, null, null);
        }

        if (!http.Request.HasFormContentType)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status415UnsupportedMediaType, "The form must be posted as application/x-www-form-urlencoded.");
            return (tenant, null, null);
        }

        try
        {
            await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http);
        }
        catch (AntiforgeryValidationException)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "The form expired or was not sent by this page. Go back and try again.");
            return (tenant, null, null);
        }

        if (sensitive && !IsFresh(http, session))
        {
            SeeOther(http, LoginPath(prompt: true));
            return (tenant, null, null);
        }

        return (tenant, session, await http.Request.ReadFormAsync(http.RequestAborted));
    }

    private static async Task<(OidcTenant Tenant, SsoSession Session)> RequireJsonSessionAsync(HttpContext http, bool sensitive)
    {
        var (tenant, session) = await SessionAsync(http);
        if (session is null)
        {
            throw new AccountProblemException(StatusCodes.Status401Unauthorized, ApiErrors.AccountSessionRequired, "Sign in first.", LoginPath(prompt: false));
        }

        try
        {
            await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http);
        }
        catch (AntiforgeryValidationException)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, ApiErrors.AccountForgedRequest, "The request was not sent by this page.", "Reload the page and try again.");
        }

        if (sensitive && !IsFresh(http, session))
        {
            throw new AccountProblemException(StatusCodes.Status401Unauthorized, ApiErrors.AccountReauthenticationRequired, "Sign in again to change your passkeys.", LoginPath(prompt: true));
        }

        return (tenant, session);
    }

    private static bool IsFresh(HttpContext http, SsoSession session) =>
        http.RequestServices.GetRequiredService<IClock>().UtcNow - session.AuthTime <= ReauthenticationWindow;

    private static async Task<(OidcTenant Tenant, SsoSession? Session)> SessionAsync(HttpContext http)
    {
        var tenant = await http.RequestServices.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: true, http.RequestAborted);
        var cookie = SsoCookie.Read(http.Request, tenant);
        var session = cookie is null ? null : await http.RequestServices.GetRequiredService<ISsoSessions>().FindAsync(tenant.TenantId, cookie, http.RequestAborted);
        return (tenant, session);
    }

    private static string LoginPath(bool prompt)
    {
        var query = new Dictionary<string, string?> { ["return"] = Path };
        if (prompt)
        {
            query["prompt"] = "login";
        }

        return QueryHelpers.AddQueryString(OidcPaths.Login, query);
    }

    private static void SeeOther(HttpContext http, string location)
    {
        http.Response.StatusCode = StatusCodes.Status303SeeOther;
        http.Response.Headers.Location = location;
        http.Response.Headers.CacheControl = "no-store";
    }

    private static string Date(DateTimeOffset at) => Pages.Encode(at.UtcDateTime.ToString("d MMM yyyy", CultureInfo.InvariantCulture));
}

/// <summary>An account call refused for want of a (recent) sign-in: the problem names where to sign in (<c>reauthenticate</c>).</summary>
public sealed class AccountProblemException(int status, string code, string title, string signIn) : Exception(title)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string SignIn { get; } = signIn;
}
