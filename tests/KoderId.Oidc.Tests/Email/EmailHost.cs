using System.Net;
using System.Text.Json;
using KoderId.Oidc.Tests.Clients;
using KoderId.Oidc.Tests.Conformance;
using KoderId.Server.Email;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Tests.Email;

/// <summary>The OIDC test host (acme at https://acme.koderid.test) sending mail to a <see cref="LocalSmtpServer"/>, on a movable clock.</summary>
internal sealed class EmailHost : IAsyncDisposable
{
    public const string From = "no-reply@koderid.test";

    private EmailHost(OidcHost oidc, LocalSmtpServer smtp, MovableTime time)
    {
        Oidc = oidc;
        Smtp = smtp;
        Time = time;
    }

    public OidcHost Oidc { get; }

    public LocalSmtpServer Smtp { get; }

    public MovableTime Time { get; }

    public Server.Tests.Api.ApiHost Api => Oidc.Host.Api;

    public static async Task<EmailHost> StartAsync(LocalSmtpServer smtp, Action<IServiceCollection>? services = null)
    {
        var time = new MovableTime();
        var oidc = await OidcHost.StartAsync(services: s =>
        {
            time.Register(s);
            Configure(s, smtp);
            services?.Invoke(s);
        });
        return new EmailHost(oidc, smtp, time);
    }

    public static void Configure(IServiceCollection services, LocalSmtpServer smtp) => services.Configure<EmailOptions>(o =>
    {
        o.SmtpHost = "127.0.0.1";
        o.SmtpPort = smtp.Port;
        o.SmtpSecurity = "None";
        o.From = From;
    });

    /// <summary>A user of acme with a password; its address verified by an administrator when asked (no mail then).</summary>
    public async Task<string> CreateUserAsync(string username, string email, bool verified = false, string password = OidcHost.Password)
    {
        var user = await Api.OkAsync(HttpMethod.Post, "/v1/users", "acme", new { username, email, emailVerified = verified }, expected: HttpStatusCode.Created);
        var id = user.GetProperty("id").GetString()!;
        using var set = await Api.SendAsync(HttpMethod.Put, $"/v1/users/{id}/password", "acme", new { password });
        Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync());
        return id;
    }

    public async Task<JsonElement> UserAsync(string id) => await Api.OkAsync(HttpMethod.Get, $"/v1/users/{id}", "acme");

    /// <summary>Opens <paramref name="link"/> in the browser, fills its form with <paramref name="fields"/> and posts it; returns the 303's location.</summary>
    public static async Task<string> SubmitAsync(HttpClient browser, Uri link, string action, Dictionary<string, string>? fields = null)
    {
        ArgumentNullException.ThrowIfNull(browser);
        ArgumentNullException.ThrowIfNull(link);
        using var page = await browser.GetAsync(link.PathAndQuery);
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"{(int)page.StatusCode} {html}");
        var form = new Dictionary<string, string>
        {
            ["__csrf"] = OidcHost.Hidden(html, "__csrf"),
            ["token"] = OidcHost.Hidden(html, "token"),
        };
        foreach (var (key, value) in fields ?? [])
        {
            form[key] = value;
        }

        using var posted = await browser.PostAsync(action, new FormUrlEncodedContent(form));
        Assert.True(posted.StatusCode == HttpStatusCode.SeeOther, $"{(int)posted.StatusCode} {await posted.Content.ReadAsStringAsync()}");
        return posted.Headers.Location!.ToString();
    }

    /// <summary>Signs <paramref name="username"/> in through the hosted login page and returns the access token.</summary>
    public async Task<string> AccessTokenAsync(string username, string password = OidcHost.Password)
    {
        using var browser = Oidc.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        using var authorize = await browser.GetAsync(Oidc.AuthorizeUrl(challenge));
        var location = await OidcHost.PostLoginAsync(browser, authorize.Headers.Location!.ToString(), username, password);
        using var resumed = await browser.GetAsync(location);
        var tokens = await Oidc.RedeemAsync(OidcHost.Query(resumed.Headers.Location!)["code"], verifier);
        return tokens.GetProperty("access_token").GetString()!;
    }

    public static string Token(Uri link) => Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query)["token"].ToString();

    public Task<HttpResponseMessage> PostJsonAsync(string path, object body, string tenant = "acme") =>
        Api.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = JsonContent(body),
            Headers = { { "X-Tenant-ID", tenant } },
        });

    public static HttpContent JsonContent(object body) =>
        new StringContent(body as string ?? JsonSerializer.Serialize(body, JsonSerializerOptions.Web), System.Text.Encoding.UTF8, "application/json");

    public ValueTask DisposeAsync() => Oidc.DisposeAsync();
}
