using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Application.Flows;
using KoderId.Application.Mfa;
using KoderId.Domain;
using KoderId.Oidc.Authorize;
using KoderId.Oidc.Common;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Login;

/// <summary>
/// The hosted login and consent pages. Each GET renders a form with an antiforgery token; each POST checks it,
/// acts, and answers <c>303 See Other</c> (never a page a refresh would post again).
/// </summary>
public static class LoginEndpoints
{
    public const string Amr = "pwd";

    /// <summary>The acr of a password sign-in (one factor).</summary>
    public const string PasswordAcr = FlowEngine.OneFactorAcr;

    public static IEndpointRouteBuilder MapLoginPages(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(OidcPaths.Login, LoginPageAsync).ExcludeFromDescription();
        endpoints.MapPost(OidcPaths.Login, LoginAsync).ExcludeFromDescription().DisableAntiforgery();
        endpoints.MapGet(StepPath, StepPageAsync).ExcludeFromDescription();
        endpoints.MapPost(StepPath, StepAsync).ExcludeFromDescription().DisableAntiforgery();
        endpoints.MapGet(RecoveryCodesPath, RecoveryCodesPageAsync).ExcludeFromDescription();
        endpoints.MapGet(OidcPaths.Consent, ConsentPageAsync).ExcludeFromDescription();
        endpoints.MapPost(OidcPaths.Consent, ConsentAsync).ExcludeFromDescription().DisableAntiforgery();
        endpoints.MapUiAssets();
        return endpoints;
    }

    /// <summary>The second-step page: forms for the steps the flow still offers (ADR 0006).</summary>
    public const string StepPath = OidcPaths.Login + "/step";

    /// <summary>Where a sign-in that enrolled a TOTP without script shows the new recovery codes once (<see cref="EnrolmentCodes"/>).</summary>
    public const string RecoveryCodesPath = OidcPaths.Login + "/recovery-codes";

    private const string WebAuthnEnrolmentStep = "webauthn-enrolment";

    /// <summary>Where a sign-in without an authorization request or a <c>return</c> ends.</summary>
    public const string DefaultReturn = "/ui/account";

    private static async Task LoginPageAsync(HttpContext http)
    {
        var target = await LoginTarget.ReadAsync(http, http.Request.Query).ConfigureAwait(false);
        if (target is null)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "The sign-in request expired or is invalid. Return to the application and start again.").ConfigureAwait(false);
            return;
        }

        // A return to one of our own pages needs no new sign-in while the browser's session holds, unless asked for.
        if (target.Request is null && !target.PromptLogin
            && SsoCookie.Read(http.Request, target.Tenant) is { } existing
            && await http.RequestServices.GetRequiredService<ISsoSessions>().FindAsync(target.Tenant.TenantId, existing, http.RequestAborted).ConfigureAwait(false) is not null)
        {
            AuthorizeFlow.SeeOther(http, target.Next);
            return;
        }

        var request = target.Request;
        var client = request is null ? null : await http.RequestServices.GetRequiredService<IAuthorizeClients>().FindAsync(target.Tenant.TenantId, request.ClientId, http.RequestAborted).ConfigureAwait(false);
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        var error = http.Request.Query["e"].ToString() switch
        {
            "1" => "Incorrect username or password.",
            "2" => "Too many failed attempts. Wait a while and try again.",
            "3" => "The sign-in took too long. Start again.",
            _ => null,
        };
        var hint = request?.LoginHint;
        var body = $"""
            <h1>Sign in</h1>
            {(request is null ? "" : $"<p>to continue to {Pages.Encode(client?.Name ?? request.ClientId)}</p>")}
            {(error is null ? "" : $"<p class=\"error\" role=\"alert\">{Pages.Encode(error)}</p>")}
            <form method="post" action="{OidcPaths.Login}">
            <input type="hidden" name="{Pages.Encode(tokens.FormFieldName)}" value="{Pages.Encode(tokens.RequestToken)}">
            {target.HiddenFields()}
            <label for="username">Username or email</label>
            <input type="text" id="username" name="username" autocomplete="username webauthn" autocapitalize="none" spellcheck="false" required value="{Pages.Encode(hint)}" {(hint is null ? "autofocus" : "")}>
            <label for="password">Password</label>
            <input type="password" id="password" name="password" autocomplete="current-password" required {(hint is null ? "" : "autofocus")}>
            <button type="submit">Sign in</button>
            </form>
            <div id="koderid-flow" hidden data-next="{Pages.Encode(target.Next)}"></div>
            <button id="passkey-signin" type="button" class="secondary">Use a passkey</button>
            <script src="/ui/assets/passkeys.js" defer></script>
            <script src="/ui/assets/login.js" defer></script>
            """;
        await Pages.WriteAsync(http, StatusCodes.Status200OK, "Sign in", body, target.FormTargets()).ConfigureAwait(false);
    }

    private static async Task LoginAsync(HttpContext http)
    {
        var form = await Pages.ReadFormAsync(http).ConfigureAwait(false);
        if (form is null)
        {
            return;
        }

        var target = await LoginTarget.ReadAsync(http, form).ConfigureAwait(false);
        if (target is null)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "The sign-in request expired or is invalid. Return to the application and start again.").ConfigureAwait(false);
            return;
        }

        var username = form["username"].ToString().Trim();
        var password = form["password"].ToString();
        if (username.Length is 0 or > 320 || password.Length is 0 or > PasswordFactor.MaxPasswordLength || form["username"].Count != 1 || form["password"].Count != 1)
        {
            AuthorizeFlow.SeeOther(http, target.LoginUrl("1"));
            return;
        }

        // The page is a client of the flow engine like any app: start a flow, answer its password step.
        var engine = http.RequestServices.GetRequiredService<FlowEngine>();
        var ip = http.Connection.RemoteIpAddress?.ToString();
        await AnswerAsync(http, target, async ct =>
        {
            var flow = await engine.StartAsync(target.Tenant.TenantId, username, ip, ct).ConfigureAwait(false);
            using var answer = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["password"] = password }));
            return await engine.AnswerAsync(target.Tenant.TenantId, flow.Id, PasswordFactor.Name, answer.RootElement, Origin(target.Tenant), ip, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private static async Task StepPageAsync(HttpContext http)
    {
        var target = await LoginTarget.ReadAsync(http, http.Request.Query).ConfigureAwait(false);
        if (target is null)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "The sign-in request expired or is invalid. Return to the application and start again.").ConfigureAwait(false);
            return;
        }

        FlowView flow;
        try
        {
            flow = await http.RequestServices.GetRequiredService<FlowEngine>().GetAsync(target.Tenant.TenantId, FlowCookie.Read(http.Request) ?? "", http.RequestAborted).ConfigureAwait(false);
        }
        catch (FlowException)
        {
            AuthorizeFlow.SeeOther(http, target.LoginUrl("3"));
            return;
        }

        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        var failed = http.Request.Query["e"] == "1";
        var forms = new StringBuilder();
        foreach (var step in flow.Steps)
        {
            if (step == TotpEnrolmentFactor.StepName)
            {
                // The page asks for the enrolment itself, so the QR code shows with or without script; asking again
                // (a reload) shows the same secret, which the flow keeps sealed.
                JsonObject enrolment;
                try
                {
                    enrolment = await http.RequestServices.GetRequiredService<FlowEngine>().BeginAsync(
                        target.Tenant.TenantId, flow.Id, step, Origin(target.Tenant), http.Connection.RemoteIpAddress?.ToString(), http.RequestAborted).ConfigureAwait(false);
                }
                catch (FlowException)
                {
                    AuthorizeFlow.SeeOther(http, target.LoginUrl("3"));
                    return;
                }

                forms.Append(EnrolmentForm(enrolment, Pages.Encode(tokens.FormFieldName), Pages.Encode(tokens.RequestToken), target));
                continue;
            }

            forms.Append(StepForm(step, Pages.Encode(tokens.FormFieldName), Pages.Encode(tokens.RequestToken), target.HiddenFields()));
        }

        if (flow.Steps.Any(s => FlowEngine.EnrolmentSteps.Contains(s, StringComparer.Ordinal)))
        {
            forms.Append(RecoveryCodesPanel([], target.Next, hidden: true));
        }

        var body = $"""
            <h1>Verify it's you</h1>
            {(failed ? "<p class=\"error\" role=\"alert\">That code was not accepted.</p>" : "")}
            <p id="flow-error" class="error" role="alert" hidden></p>
            {(flow.Steps.Count == 0 ? "<p class=\"error\" role=\"alert\">This account needs a second factor, and none is set up. Ask an administrator.</p>" : "")}
            {forms}
            <div id="koderid-flow" hidden data-flow="{Pages.Encode(flow.Id)}" data-next="{Pages.Encode(target.Next)}" data-login="{Pages.Encode(target.LoginUrl("3"))}"></div>
            <script src="/ui/assets/passkeys.js" defer></script>
            <script src="/ui/assets/login.js" defer></script>
            """;
        await Pages.WriteAsync(http, StatusCodes.Status200OK, "Verify it's you", body, target.FormTargets()).ConfigureAwait(false);
    }

    /// <summary>
    /// The <c>totp-enrolment</c> step: the QR code (a <c>data:</c> PNG, which <c>img-src 'self' data:</c> allows), the key
    /// to type in, a code field, and a hidden panel login.js fills with the recovery codes the answer returns.
    /// </summary>
    private static string EnrolmentForm(JsonObject enrolment, string csrfName, string csrf, LoginTarget target)
    {
        var secret = enrolment["secret"]!.GetValue<string>();
        var uri = enrolment["otpauthUri"]!.GetValue<string>();
        var size = TotpQrCode.Modules(uri) * TotpQrCode.PixelsPerModule;
        var step = TotpEnrolmentFactor.StepName;
        return $"""
            <section id="totp-enrolment">
            <p>This account needs two-step verification. Set up an authenticator app now: scan this code with it, or enter the key by hand.</p>
            <p><img id="totp-qr" src="{Pages.Encode(enrolment["qrPng"]!.GetValue<string>())}" width="{size}" height="{size}" alt="QR code for your authenticator app"></p>
            <p>Key: <code id="totp-secret">{Pages.Encode(string.Join(' ', secret.Chunk(4).Select(c => new string(c))))}</code></p>
            <form class="flow-step" data-step="{step}" method="post" action="{StepPath}">
            <input type="hidden" name="{csrfName}" value="{csrf}">
            <input type="hidden" name="step" value="{step}">
            {target.HiddenFields()}
            <label for="totp-enrolment-code">Code from the app</label>
            <input type="text" id="totp-enrolment-code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="10" required>
            <button type="submit">Turn on</button>
            </form>
            </section>
            """;
    }

    /// <summary>The recovery codes after an enrolment: filled in by login.js (hidden until then) or by the no-script page.</summary>
    private static string RecoveryCodesPanel(IReadOnlyList<string> codes, string next, bool hidden) => $"""
        <section id="recovery-codes-panel"{(hidden ? " hidden" : "")}>
        <h2>Save your recovery codes</h2>
        <p>Two-step verification is on. If you lose your authenticator app, each of these codes signs you in once. Keep them somewhere safe: they are shown only now.</p>
        <ul id="recovery-codes">{string.Concat(codes.Select(c => $"<li><code>{Pages.Encode(c)}</code></li>"))}</ul>
        <a id="recovery-codes-continue" class="button" href="{Pages.Encode(next)}">Continue</a>
        </section>
        """;

    /// <summary>The recovery codes of an enrolment posted without script, once (the cookie is deleted as they are shown).</summary>
    private static async Task RecoveryCodesPageAsync(HttpContext http)
    {
        var target = await LoginTarget.ReadAsync(http, http.Request.Query).ConfigureAwait(false);
        if (target is null)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "The sign-in request expired or is invalid. Return to the application and start again.").ConfigureAwait(false);
            return;
        }

        var session = SsoCookie.Read(http.Request, target.Tenant) is { } cookie
            ? await http.RequestServices.GetRequiredService<ISsoSessions>().FindAsync(target.Tenant.TenantId, cookie, http.RequestAborted).ConfigureAwait(false)
            : null;
        var codes = session is null ? null : EnrolmentCodes.Take(http, target.Tenant, session.SessionId);
        if (codes is null)
        {
            AuthorizeFlow.SeeOther(http, target.Next);
            return;
        }

        await Pages.WriteAsync(http, StatusCodes.Status200OK, "Recovery codes", RecoveryCodesPanel(codes, target.Next, hidden: false), target.FormTargets()).ConfigureAwait(false);
    }

    private static string StepForm(string step, string csrfName, string csrf, string hidden)
    {
        var encoded = Pages.Encode(step);
        var (label, input) = step switch
        {
            "totp" => ("Code from your authenticator app", """<input type="text" id="totp-code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="10" required>"""),
            "recovery-code" => ("A recovery code", """<input type="text" id="recovery-code" name="code" autocomplete="off" autocapitalize="none" spellcheck="false" maxlength="64" required>"""),
            "email-otp" => ("Code sent to your email", """<input type="text" id="email-otp-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="16" required>"""),
            _ => ((string?)null, (string?)null),
        };
        if (step == WebAuthnEnrolmentStep)
        {
            // Needs script (navigator.credentials.create): passkeys.js shows it where the browser can make a passkey.
            return """
                <section class="flow-step" data-step="webauthn-enrolment" id="passkey-enrolment" hidden>
                <p>Or create a passkey on this device instead of using an app.</p>
                <button id="passkey-enrol" type="button" class="secondary">Create a passkey</button>
                <p id="passkey-status" role="status"></p>
                </section>
                """;
        }

        if (step == "webauthn")
        {
            return """<section class="flow-step" data-step="webauthn"><button id="passkey-signin" type="button">Use a passkey</button></section>""";
        }

        if (label is null)
        {
            return "";
        }

        var send = step == "email-otp"
            ? """<button type="button" class="secondary flow-challenge" data-step="email-otp">Send code</button>"""
            : "";
        var id = step switch { "totp" => "totp-code", "recovery-code" => "recovery-code", _ => "email-otp-code" };
        return $"""
            <form class="flow-step" data-step="{encoded}" method="post" action="{StepPath}">
            <input type="hidden" name="{csrfName}" value="{csrf}">
            <input type="hidden" name="step" value="{encoded}">
            {hidden}
            <label for="{id}">{Pages.Encode(label)}</label>
            {input}
            {send}
            <button type="submit">Verify</button>
            </form>
            """;
    }

    /// <summary>The second-step forms posted without script (login.js posts JSON instead): same engine, same answers.</summary>
    private static async Task StepAsync(HttpContext http)
    {
        var form = await Pages.ReadFormAsync(http).ConfigureAwait(false);
        if (form is null)
        {
            return;
        }

        var target = await LoginTarget.ReadAsync(http, form).ConfigureAwait(false);
        if (target is null)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "The sign-in request expired or is invalid. Return to the application and start again.").ConfigureAwait(false);
            return;
        }

        var step = form["step"].ToString();
        var code = form["code"].ToString();
        if (form["step"].Count != 1 || form["code"].Count != 1 || code.Length is 0 or > 64)
        {
            AuthorizeFlow.SeeOther(http, target.StepUrl("1"));
            return;
        }

        var engine = http.RequestServices.GetRequiredService<FlowEngine>();
        var ip = http.Connection.RemoteIpAddress?.ToString();
        await AnswerAsync(http, target, async ct =>
        {
            using var answer = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["code"] = code }));
            return await engine.AnswerAsync(target.Tenant.TenantId, FlowCookie.Read(http.Request) ?? "", step, answer.RootElement, Origin(target.Tenant), ip, ct).ConfigureAwait(false);
        }, onSecondStep: true).ConfigureAwait(false);
    }

    /// <summary>Runs one flow answer for a page and turns its outcome into the 303 the page answers.</summary>
    private static async Task AnswerAsync(HttpContext http, LoginTarget target, Func<CancellationToken, Task<FlowView>> answer, bool onSecondStep = false)
    {
        var ct = http.RequestAborted;
        FlowView flow;
        try
        {
            flow = await answer(ct).ConfigureAwait(false);
        }
        catch (FlowException e)
        {
            var location = e.Code switch
            {
                FlowErrors.Throttled => target.LoginUrl("2"),
                FlowErrors.Failed when onSecondStep => target.StepUrl("1"),
                FlowErrors.Failed => target.LoginUrl("1"),
                _ => target.LoginUrl("3"),
            };
            AuthorizeFlow.SeeOther(http, location);
            return;
        }
        catch (DomainException) when (!onSecondStep)
        {
            AuthorizeFlow.SeeOther(http, target.LoginUrl("1"));
            return;
        }
        catch (DomainException)
        {
            AuthorizeFlow.SeeOther(http, target.StepUrl("1"));
            return;
        }

        if (flow.Session is not { } session)
        {
            FlowCookie.Write(http.Response, target.Tenant, flow.Id, flow.ExpiresAt);
            AuthorizeFlow.SeeOther(http, target.StepUrl(null));
            return;
        }

        FlowCookie.Delete(http.Response, target.Tenant);
        var sessions = http.RequestServices.GetRequiredService<ISsoSessions>();
        if (SsoCookie.Read(http.Request, target.Tenant) is { } previous
            && await sessions.FindToEndAsync(target.Tenant.TenantId, previous, ct).ConfigureAwait(false) is { } old
            && old.SessionId != session.Id)
        {
            // A new sign-in replaces the browser's session rather than leaving the old one alive behind it.
            await sessions.RevokeAsync(target.Tenant.TenantId, old.SessionId, "logout", ct).ConfigureAwait(false);
        }

        SsoCookie.Write(http.Response, target.Tenant, session.Token, session.ExpiresAt);
        if (flow.RecoveryCodes is { Count: > 0 } codes)
        {
            // An enrolment's recovery codes are shown once, after the 303 (a refresh must not post the code again).
            EnrolmentCodes.Put(http, target.Tenant, session.Id, codes);
            AuthorizeFlow.SeeOther(http, target.Url(RecoveryCodesPath, null));
            return;
        }

        AuthorizeFlow.SeeOther(http, target.Next);
    }

    /// <summary>The tenant's origin (its issuer's scheme, host and port), for the factors that check it (WebAuthn).</summary>
    private static string Origin(OidcTenant tenant) => new Uri(tenant.Issuer).GetLeftPart(UriPartial.Authority);

    private static async Task ConsentPageAsync(HttpContext http)
    {
        var (tenant, request) = await PendingAsync(http, http.Request.Query["ar"]).ConfigureAwait(false);
        if (tenant is null || request is null)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "The sign-in request expired or is invalid. Return to the application and start again.").ConfigureAwait(false);
            return;
        }

        var client = await http.RequestServices.GetRequiredService<IAuthorizeClients>().FindAsync(tenant.TenantId, request.ClientId, http.RequestAborted).ConfigureAwait(false);
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        var scopes = string.Concat(request.Scopes.Select(s => $"<li>{Pages.Encode(ScopeText(s))}</li>"));
        var body = $"""
            <h1>Allow access?</h1>
            <p><strong>{Pages.Encode(client?.Name ?? request.ClientId)}</strong> asks to:</p>
            <ul>{scopes}</ul>
            <form method="post" action="{OidcPaths.Consent}">
            <input type="hidden" name="{Pages.Encode(tokens.FormFieldName)}" value="{Pages.Encode(tokens.RequestToken)}">
            <input type="hidden" name="ar" value="{Pages.Encode(http.Request.Query["ar"])}">
            <button type="submit" name="decision" value="allow">Allow</button>
            <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
            </form>
            """;
        await Pages.WriteAsync(http, StatusCodes.Status200OK, "Allow access", body, FormTargets(request)).ConfigureAwait(false);
    }

    private static async Task ConsentAsync(HttpContext http)
    {
        var form = await Pages.ReadFormAsync(http).ConfigureAwait(false);
        if (form is null)
        {
            return;
        }

        var (tenant, request) = await PendingAsync(http, form["ar"]).ConfigureAwait(false);
        if (tenant is null || request is null)
        {
            await Pages.ErrorAsync(http, StatusCodes.Status400BadRequest, "The sign-in request expired or is invalid. Return to the application and start again.").ConfigureAwait(false);
            return;
        }

        if (form["decision"] != "allow")
        {
            AuthorizeFlow.Redirect(http, tenant, request, OAuthErrors.AccessDenied, "The user denied the request.");
            return;
        }

        await http.RequestServices.GetRequiredService<AuthorizeFlow>().ContinueAsync(http, tenant, request, consentGiven: true, http.RequestAborted).ConfigureAwait(false);
    }

    internal static async Task<(OidcTenant? Tenant, ValidatedAuthorizeRequest? Request)> PendingAsync(HttpContext http, string? value)
    {
        var tenant = await http.RequestServices.GetRequiredService<IOidcTenantResolver>().ResolveAsync(http, requireActive: true, http.RequestAborted).ConfigureAwait(false);
        return (tenant, http.RequestServices.GetRequiredService<PendingAuthorization>().Unprotect(tenant.TenantId, value));
    }

    internal static string[] FormTargets(ValidatedAuthorizeRequest request) =>
        AuthorizeFlow.OriginOf(request.RedirectUri) is { } origin ? [origin] : [];

    private static string ScopeText(string scope) => scope switch
    {
        "openid" => "Sign you in",
        "profile" => "See your name and profile",
        "email" => "See your email address",
        "phone" => "See your phone number",
        "address" => "See your postal address",
        "offline_access" => "Stay signed in when you are away (refresh tokens)",
        "roles" => "See your roles",
        "metadata" or "urn:zitadel:iam:user:metadata" => "See the information stored with your account",
        _ => scope,
    };
}
