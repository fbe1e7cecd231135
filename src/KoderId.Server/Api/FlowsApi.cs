using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using KoderId.Application.Common;
using KoderId.Application.Flows;
using KoderId.Oidc.Authorize;
using KoderId.Oidc.Common;
using KoderId.Oidc.Login;
using KoderId.Server.Tenancy;

namespace KoderId.Server.Api;

public sealed record StartFlowRequest(string? Username = null);

public sealed record FlowSessionResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt);

public sealed record FlowResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("steps")] IReadOnlyList<string> Steps,
    [property: JsonPropertyName("completed")] IReadOnlyList<string> Completed,
    [property: JsonPropertyName("session"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FlowSessionResponse? Session = null,
    [property: JsonPropertyName("amr"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Amr = null,
    [property: JsonPropertyName("recovery_codes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? RecoveryCodes = null)
{
    public static FlowResponse From(FlowView view) => new(
        view.Id, view.ExpiresAt, view.Status, view.Steps, view.Completed,
        view.Session is { } s ? new FlowSessionResponse(s.Id, s.Token, s.ExpiresAt) : null, view.Amr, view.RecoveryCodes);
}

/// <summary>
/// <c>/v1/auth/flows</c> (ADR 0006): anonymous JSON sign-in for first-party apps and the hosted login page. The
/// tenant comes from the Host or <c>X-Tenant-ID</c>; with <c>X-KoderId-Login: cookie</c> (the hosted page, whose
/// requests are same-origin JSON) a completing answer also sets the SSO cookie, and the tenant is the Host's alone.
/// </summary>
public static class FlowsApi
{
    public const string LoginHeader = "X-KoderId-Login";
    public const string CookieMode = "cookie";

    /// <summary>The longest username or email a flow is started for.</summary>
    public const int MaxUsernameLength = 320;

    public static RouteGroupBuilder MapFlowsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/auth/flows").WithTags("Flows").AllowAnonymous();
        group.MapPost("/", StartAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPost("/{id}/{step}/challenge", ChallengeAsync);
        group.MapPost("/{id}/{step}", AnswerAsync);
        return group;
    }

    private static async Task<IResult> StartAsync(HttpContext http, FlowEngine engine, RequestContext context, CancellationToken ct)
    {
        var tenant = await TenantAsync(http, ct);
        var request = await ApiJson.ReadAsync<StartFlowRequest>(http.Request, ct);
        var username = request.Username?.Trim();
        if (username is { Length: 0 or > MaxUsernameLength })
        {
            throw ApiJson.Malformed($"username is 1 to {MaxUsernameLength} characters.");
        }

        var flow = await engine.StartAsync(tenant, username, context.ClientIp, ct);
        return TypedResults.Json(FlowResponse.From(flow), ApiJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, FlowEngine engine, CancellationToken ct)
    {
        var tenant = await TenantAsync(http, ct);
        return TypedResults.Json(FlowResponse.From(await engine.GetAsync(tenant, id, ct)), ApiJson.Options);
    }

    private static async Task<IResult> ChallengeAsync(string id, string step, HttpContext http, FlowEngine engine, RequestContext context, CancellationToken ct)
    {
        var tenant = await TenantAsync(http, ct);

        // A challenge takes no input; an empty body (no content type) is as good as {}.
        if (http.Request.ContentLength is > 0 || http.Request.ContentType is not null)
        {
            using var body = await ApiJson.ReadDocumentAsync(http.Request, ct, "application/json");
        }

        var challenge = await engine.BeginAsync(tenant, id, step, await OriginAsync(http, ct), context.ClientIp, ct);

        // A challenge may carry a secret (a TOTP being enrolled), an answer a session token and recovery codes.
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(challenge, ApiJson.Options);
    }

    private static async Task<IResult> AnswerAsync(string id, string step, HttpContext http, FlowEngine engine, RequestContext context, CancellationToken ct)
    {
        var cookie = string.Equals(http.Request.Headers[LoginHeader].ToString(), CookieMode, StringComparison.Ordinal);
        var tenant = await TenantAsync(http, ct, hostOnly: cookie);
        using var body = await ApiJson.ReadDocumentAsync(http.Request, ct, "application/json");
        if (body.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw ApiJson.Malformed("The body must be a JSON object.");
        }

        var flow = await engine.AnswerAsync(tenant, id, step, body.RootElement, await OriginAsync(http, ct), context.ClientIp, ct);
        http.Response.Headers.CacheControl = "no-store";
        if (cookie && flow.Session is { } session)
        {
            await SetCookieAsync(http, tenant, session, ct);
        }

        return TypedResults.Json(FlowResponse.From(flow), ApiJson.Options);
    }

    /// <summary>The hosted page's sign-in replaces the browser's session rather than leaving the old one alive behind it.</summary>
    private static async Task SetCookieAsync(HttpContext http, string tenantId, FlowSession session, CancellationToken ct)
    {
        var oidcTenant = await http.RequestServices.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: true, ct);
        var sessions = http.RequestServices.GetRequiredService<ISsoSessions>();
        if (SsoCookie.Read(http.Request, oidcTenant) is { } previous
            && await sessions.FindToEndAsync(tenantId, previous, ct) is { } old
            && old.SessionId != session.Id)
        {
            await sessions.RevokeAsync(tenantId, old.SessionId, "logout", ct);
        }

        SsoCookie.Write(http.Response, oidcTenant, session.Token, session.ExpiresAt);
    }

    private static async Task<string> TenantAsync(HttpContext http, CancellationToken ct, bool hostOnly = false)
    {
        var resolver = http.RequestServices.GetRequiredService<TenantResolver>();
        var tenant = hostOnly
            ? await resolver.ResolveByHostAsync(http, requireActive: true, ct)
            : await resolver.ResolveAsync(http, requireActive: true, ct);
        return tenant.TenantId;
    }

    /// <summary>The tenant's origin the browser talks to (WebAuthn checks it): its issuer.</summary>
    private static async Task<string> OriginAsync(HttpContext http, CancellationToken ct)
    {
        var oidcTenant = await http.RequestServices.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: true, ct);
        return new Uri(oidcTenant.Issuer).GetLeftPart(UriPartial.Authority);
    }
}
