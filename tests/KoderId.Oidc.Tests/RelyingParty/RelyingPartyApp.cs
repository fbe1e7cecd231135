using System.Net;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KoderId.Oidc.Tests.RelyingParty;

/// <summary>One OIDC client of the relying party: its path prefix (<c>/{Name}/</c>) is its protected page.</summary>
public sealed record RpClient(string Name, string ClientId, string ClientSecret, TimeSpan? MaxAge = null, bool UserInfo = false);

/// <summary>
/// A relying party as an application team would write it: ASP.NET Core's cookie + OpenIdConnect handlers pointed
/// at our issuer with nothing but the Authority and the client's credentials, on its own Kestrel port. Discovery,
/// JWKS and the token request go over real HTTP; the handler validates the ID token itself (signature, iss, aud,
/// nonce, at_hash). Each client's page at <c>/{name}/</c> prints the signed-in user's claims, one per line.
/// </summary>
public sealed class RelyingPartyApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _backchannel;

    private RelyingPartyApp(WebApplication app, int port, System.Collections.Concurrent.ConcurrentQueue<string> backchannel)
    {
        _app = app;
        _backchannel = backchannel;
        Origin = $"http://127.0.0.1:{port}";
    }

    public string Origin { get; }

    /// <summary>Every back-channel request the handlers made (<c>METHOD url</c>): discovery, JWKS, token.</summary>
    public IReadOnlyCollection<string> Backchannel => _backchannel.ToArray();

    public static string RedirectUri(int port, string name) => $"http://127.0.0.1:{port}/{name}/signin-oidc";

    public static string PostLogoutRedirectUri(int port, string name) => $"http://127.0.0.1:{port}/{name}/signout-callback-oidc";

    public static async Task<RelyingPartyApp> StartAsync(int port, string authority, IReadOnlyList<RpClient> clients)
    {
        var backchannel = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        var authentication = builder.Services.AddAuthentication();
        foreach (var client in clients)
        {
            var cookie = client.Name + "-cookie";
            authentication.AddCookie(cookie, o =>
            {
                o.Cookie.Name = "rp-" + client.Name;
                o.Cookie.Path = "/" + client.Name;
            });
            authentication.AddOpenIdConnect(client.Name, o =>
            {
                o.SignInScheme = cookie;
                o.Authority = authority;
                o.RequireHttpsMetadata = false; // the test issuer is http://acme.localhost:port
                o.ClientId = client.ClientId;
                o.ClientSecret = client.ClientSecret;
                o.ResponseType = "code";
                o.ResponseMode = "query"; // the handler's default is form_post; we support query only
                o.UsePkce = true;
                o.MaxAge = client.MaxAge; // when set, the handler also requires auth_time in the ID token
                o.SaveTokens = true;
                o.GetClaimsFromUserInfoEndpoint = client.UserInfo;
                o.MapInboundClaims = false;
                o.Scope.Clear();
                foreach (var scope in new[] { "openid", "profile", "email", "offline_access" })
                {
                    o.Scope.Add(scope);
                }

                o.CallbackPath = $"/{client.Name}/signin-oidc";
                o.AccessDeniedPath = $"/{client.Name}/denied";
                o.SignedOutCallbackPath = $"/{client.Name}/signout-callback-oidc";
                o.TokenValidationParameters.NameClaimType = "name";
                o.Backchannel = new HttpClient(new Recording(backchannel) { InnerHandler = KestrelIssuer.LoopbackHandler() });

                // Plain http on loopback: the correlation and nonce cookies cannot be Secure, and the callback is a
                // top-level GET redirect (response_mode=query), which SameSite=Lax lets through.
                o.CorrelationCookie.SameSite = SameSiteMode.Lax;
                o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.Events.OnTokenValidated = context =>
                {
                    // What the handler itself checked: the page shows it so a test sees the RP's view, not ours.
                    context.Properties!.Items["validated.iss"] = context.SecurityToken.Issuer;
                    context.Properties.Items["validated.aud"] = string.Join(' ', context.SecurityToken.Audiences);
                    context.Properties.Items["validated.kid"] = context.SecurityToken.Header.Kid;
                    context.Properties.Items["validated.alg"] = context.SecurityToken.Header.Alg;
                    context.Properties.Items["validated.nonce"] = context.ProtocolMessage.Nonce ?? context.SecurityToken.Payload.Nonce;
                    return Task.CompletedTask;
                };
                o.Events.OnRemoteFailure = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                    context.Response.ContentType = "text/plain";
                    context.HandleResponse();
                    return context.Response.WriteAsync("remote failure: " + context.Failure?.Message);
                };
            });
        }

        var app = builder.Build();
        app.UseAuthentication();
        foreach (var client in clients)
        {
            app.MapGet($"/{client.Name}/", async (HttpContext http) =>
            {
                var result = await http.AuthenticateAsync(client.Name + "-cookie");
                if (!result.Succeeded)
                {
                    await http.ChallengeAsync(client.Name, new AuthenticationProperties { RedirectUri = $"/{client.Name}/" });
                    return;
                }

                var text = new StringBuilder("signed in\n");
                foreach (var claim in result.Principal!.Claims)
                {
                    text.Append(claim.Type).Append('=').Append(claim.Value).Append('\n');
                }

                foreach (var (key, value) in result.Properties!.Items.Where(p => p.Key.StartsWith("validated.", StringComparison.Ordinal)))
                {
                    text.Append(key).Append('=').Append(value).Append('\n');
                }

                foreach (var token in new[] { "id_token", "access_token", "refresh_token" })
                {
                    text.Append("token:").Append(token).Append('=').Append(result.Properties!.GetTokenValue(token)).Append('\n');
                }

                http.Response.ContentType = "text/plain";
                await http.Response.WriteAsync(text.ToString());
            });
            app.MapGet($"/{client.Name}/denied", () => Results.Text("access denied by the user"));
            app.MapGet($"/{client.Name}/logout", async (HttpContext http) =>
            {
                // RP-Initiated Logout as the handler does it: id_token_hint from the saved tokens, state, and the
                // signed-out callback as post_logout_redirect_uri, then on to /{name}/signed-out.
                await http.SignOutAsync(client.Name + "-cookie");
                await http.SignOutAsync(client.Name, new AuthenticationProperties { RedirectUri = $"/{client.Name}/signed-out" });
            });
            app.MapGet($"/{client.Name}/signed-out", () => Results.Text("signed out"));
        }

        await app.StartAsync();
        return new RelyingPartyApp(app, port, backchannel);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private sealed class Recording(System.Collections.Concurrent.ConcurrentQueue<string> log) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            log.Enqueue($"{request.Method} {request.RequestUri}");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
