using System.Net;
using KoderId.Application.Common;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;
using KoderId.Events.Credentials;
using KoderId.Oidc.Tests.Conformance;
using KoderId.Server.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Tests.Email;

/// <summary>
/// ADR 0006 password reset: one answer whether the account exists, a 30-minute single-use link to a hosted form,
/// the tenant's policy, every session revoked, and nobody signed in by it.
/// </summary>
public sealed class PasswordResetTests : IClassFixture<LocalSmtpServer>, IAsyncLifetime
{
    private const string NewPassword = "a brand new passphrase 2026";
    private readonly LocalSmtpServer _smtp;
    private EmailHost _host = null!;

    public PasswordResetTests(LocalSmtpServer smtp) => _smtp = smtp;

    public async Task InitializeAsync() => _host = await EmailHost.StartAsync(_smtp);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task a_reset_link_sets_the_password_revokes_every_session_and_signs_nobody_in()
    {
        var id = await _host.CreateUserAsync("rita", "rita@example.com", verified: true);
        var access = await _host.AccessTokenAsync("rita");
        Assert.True(await _host.Oidc.IsActiveAsync(access));

        var answer = await RequestAsync(new { username = "rita" });
        Assert.Equal("""{"status":"accepted"}""", answer);
        var mail = Assert.Single(await _smtp.WaitForAsync("rita@example.com", kind: "password-reset"));
        Assert.Equal("Reset your password", mail.Subject);
        var link = LocalSmtpServer.Link(mail, "/ui/password/reset");
        Assert.StartsWith("https://acme.koderid.test/ui/password/reset?token=", link.ToString(), StringComparison.Ordinal);

        using var browser = _host.Oidc.Browser();
        var done = await EmailHost.SubmitAsync(browser, link, "/ui/password/reset", new() { ["password"] = NewPassword, ["confirm"] = NewPassword });

        Assert.Equal("/ui/password/reset/done", done);
        Assert.DoesNotContain(browser.DefaultRequestHeaders, h => h.Key == "Cookie");
        Assert.False(await _host.Oidc.IsActiveAsync(access));
        var set = await LastPasswordSetAsync(id);
        Assert.Equal(PasswordSetReasons.Reset, set.Reason);
        Assert.False(set.ChangeRequired);

        // The old password no longer signs in; the new one does (with whatever factors the flow then asks for).
        using var login = _host.Oidc.Browser();
        var (_, challenge) = OidcHost.Pkce();
        using var authorize = await login.GetAsync(_host.Oidc.AuthorizeUrl(challenge));
        var refused = await OidcHost.PostLoginAsync(login, authorize.Headers.Location!.ToString(), "rita", OidcHost.Password);
        Assert.Contains("e=1", refused, StringComparison.Ordinal);
        Assert.NotNull(await _host.AccessTokenAsync("rita", NewPassword));
    }

    [Fact]
    public async Task a_reset_link_works_once_through_the_json_api_too()
    {
        await _host.CreateUserAsync("jason", "jason@example.com", verified: true);
        await RequestAsync(new { email = "JASON@example.com" });
        var token = EmailHost.Token(LocalSmtpServer.Link((await _smtp.WaitForAsync("jason@example.com", kind: "password-reset"))[0], "/ui/password/reset"));

        using (var first = await _host.PostJsonAsync("/v1/auth/password-reset/confirm", new { token, password = NewPassword }))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        using (var replay = await _host.PostJsonAsync("/v1/auth/password-reset/confirm", new { token, password = NewPassword + "!" }))
        {
            await ApiHost.ProblemAsync(replay, HttpStatusCode.BadRequest, "KID1371");
        }

        Assert.NotNull(await _host.AccessTokenAsync("jason", NewPassword));
    }

    [Fact]
    public async Task an_unknown_account_gets_the_same_answer_and_no_mail()
    {
        var unknownName = await RequestAsync(new { username = "nobody-here" });
        var unknownEmail = await RequestAsync(new { email = "nobody@example.com" });
        await _host.CreateUserAsync("pending", "pending@example.com");
        var unverified = await RequestAsync(new { username = "pending" });
        await _host.CreateUserAsync("known", "known@example.com", verified: true);
        var known = await RequestAsync(new { username = "known" });

        Assert.Equal(known, unknownName);
        Assert.Equal(known, unknownEmail);
        Assert.Equal(known, unverified);

        // Mail leaves in order: once the known user's has arrived, none was on its way for the others.
        await _smtp.WaitForAsync("known@example.com", kind: "password-reset");
        Assert.Empty(_smtp.To("nobody@example.com"));
        Assert.DoesNotContain(_smtp.To("pending@example.com"), m => m.Headers["X-KoderId-Kind"] == "password-reset");
    }

    [Fact]
    public async Task an_expired_reset_link_is_refused()
    {
        await _host.CreateUserAsync("slow", "slow@example.com", verified: true);
        await RequestAsync(new { username = "slow" });
        var token = EmailHost.Token(LocalSmtpServer.Link((await _smtp.WaitForAsync("slow@example.com", kind: "password-reset"))[0], "/ui/password/reset"));

        _host.Time.Advance(TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(1));

        using var expired = await _host.PostJsonAsync("/v1/auth/password-reset/confirm", new { token, password = NewPassword });
        await ApiHost.ProblemAsync(expired, HttpStatusCode.BadRequest, "KID1371");
        using var browser = _host.Oidc.Browser();
        using var page = await browser.GetAsync("/ui/password/reset?token=" + Uri.EscapeDataString(token));
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
    }

    [Fact]
    public async Task a_reset_link_is_void_once_the_password_changed_and_a_weak_password_leaves_it_usable()
    {
        var id = await _host.CreateUserAsync("stale", "stale@example.com", verified: true);
        await RequestAsync(new { username = "stale" });
        var first = EmailHost.Token(LocalSmtpServer.Link((await _smtp.WaitForAsync("stale@example.com", kind: "password-reset"))[0], "/ui/password/reset"));
        using (var set = await _host.Api.SendAsync(HttpMethod.Put, $"/v1/users/{id}/password", "acme", new { password = "an admin chosen passphrase 1" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        }

        using (var stale = await _host.PostJsonAsync("/v1/auth/password-reset/confirm", new { token = first, password = NewPassword }))
        {
            await ApiHost.ProblemAsync(stale, HttpStatusCode.BadRequest, "KID1371");
        }

        await RequestAsync(new { username = "stale" });
        var second = (await _smtp.WaitForAsync("stale@example.com", 2, kind: "password-reset"))
            .Select(m => EmailHost.Token(LocalSmtpServer.Link(m, "/ui/password/reset"))).Single(t => t != first);
        using (var weak = await _host.PostJsonAsync("/v1/auth/password-reset/confirm", new { token = second, password = "zq7" }))
        {
            var problem = await ApiHost.ProblemAsync(weak, HttpStatusCode.BadRequest, "KID1101");
            Assert.DoesNotContain("zq7", problem.GetRawText(), StringComparison.Ordinal);
        }

        using (var strong = await _host.PostJsonAsync("/v1/auth/password-reset/confirm", new { token = second, password = NewPassword }))
        {
            Assert.Equal(HttpStatusCode.NoContent, strong.StatusCode);
        }
    }

    [Fact]
    public async Task the_hosted_form_sends_a_mismatch_or_a_weak_password_back_to_itself()
    {
        await _host.CreateUserAsync("former", "former@example.com", verified: true);
        await RequestAsync(new { username = "former" });
        var link = LocalSmtpServer.Link((await _smtp.WaitForAsync("former@example.com", kind: "password-reset"))[0], "/ui/password/reset");
        using var browser = _host.Oidc.Browser();

        var mismatch = await EmailHost.SubmitAsync(browser, link, "/ui/password/reset", new() { ["password"] = NewPassword, ["confirm"] = NewPassword + "x" });
        Assert.StartsWith("/ui/password/reset?token=", mismatch, StringComparison.Ordinal);
        Assert.EndsWith("e=mismatch", mismatch, StringComparison.Ordinal);
        var weak = await EmailHost.SubmitAsync(browser, link, "/ui/password/reset", new() { ["password"] = "former", ["confirm"] = "former" });
        Assert.EndsWith("e=policy", weak, StringComparison.Ordinal);
        Assert.Contains("not allowed", await browser.GetStringAsync(weak), StringComparison.Ordinal);

        Assert.Equal("/ui/password/reset/done", await EmailHost.SubmitAsync(browser, link, "/ui/password/reset", new() { ["password"] = NewPassword, ["confirm"] = NewPassword }));
    }

    [Fact]
    public async Task bad_inputs_are_4xx_with_a_code()
    {
        using (var both = await _host.PostJsonAsync("/v1/auth/password-reset", new { username = "a", email = "a@example.com" }))
        {
            await ApiHost.ProblemAsync(both, HttpStatusCode.BadRequest, "KID2261");
        }

        using (var neither = await _host.PostJsonAsync("/v1/auth/password-reset", new { }))
        {
            await ApiHost.ProblemAsync(neither, HttpStatusCode.BadRequest, "KID2261");
        }

        using (var tooLong = await _host.PostJsonAsync("/v1/auth/password-reset", new { username = new string('a', 321) }))
        {
            await ApiHost.ProblemAsync(tooLong, HttpStatusCode.BadRequest, "KID2261");
        }

        using (var unknown = await _host.PostJsonAsync("/v1/auth/password-reset", new { login = "a" }))
        {
            await ApiHost.ProblemAsync(unknown, HttpStatusCode.BadRequest, "KID2004");
        }

        using (var notJson = await _host.PostJsonAsync("/v1/auth/password-reset", "{\"username\":"))
        {
            await ApiHost.ProblemAsync(notJson, HttpStatusCode.BadRequest, "KID2003");
        }

        using (var huge = await _host.PostJsonAsync("/v1/auth/password-reset", "{\"username\":\"" + new string('a', 1_100_000) + "\"}"))
        {
            await ApiHost.ProblemAsync(huge, HttpStatusCode.RequestEntityTooLarge, "KID2005");
        }

        using (var noPassword = await _host.PostJsonAsync("/v1/auth/password-reset/confirm", new { token = "x" }))
        {
            await ApiHost.ProblemAsync(noPassword, HttpStatusCode.BadRequest, "KID2003");
        }

        using (var malformed = await _host.PostJsonAsync("/v1/auth/password-reset/confirm", new { token = "%%%not-base64%%%", password = NewPassword }))
        {
            await ApiHost.ProblemAsync(malformed, HttpStatusCode.BadRequest, "KID1371");
        }

        using (var unknownTenant = await _host.PostJsonAsync("/v1/auth/password-reset", new { username = "alice" }, tenant: "nope"))
        {
            await ApiHost.ProblemAsync(unknownTenant, HttpStatusCode.NotFound, "KID1002");
        }
    }

    [Fact]
    public async Task a_forged_forwarded_host_does_not_change_the_reset_link()
    {
        await _host.CreateUserAsync("spoofed", "spoofed@example.com", verified: true);
        var request = new HttpRequestMessage(HttpMethod.Post, "http://attacker.example/v1/auth/password-reset") { Content = EmailHost.JsonContent(new { username = "spoofed" }) };
        request.Headers.Add("X-Tenant-ID", "acme");
        request.Headers.Add("X-Forwarded-Host", "attacker.example");
        using (var response = await _host.Api.Anonymous.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var mail = (await _smtp.WaitForAsync("spoofed@example.com", kind: "password-reset"))[0];
        Assert.StartsWith("https://acme.koderid.test/ui/password/reset?token=", LocalSmtpServer.Link(mail, "/ui/password/reset").ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("attacker", mail.TextBody + mail.HtmlBody, StringComparison.Ordinal);
    }

    private async Task<string> RequestAsync(object body)
    {
        using var response = await _host.PostJsonAsync("/v1/auth/password-reset", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode} {text}");
        return text;
    }

    private async Task<UserPasswordSet> LastPasswordSetAsync(string userId)
    {
        var store = _host.Api.Factory.Services.GetRequiredService<IEventStore>();
        var serializer = _host.Api.Factory.Services.GetRequiredService<EventSerializer>();
        UserPasswordSet? last = null;
        await foreach (var e in store.ReadStreamAsync("acme", StreamNames.User("acme", userId)))
        {
            if ((await serializer.DeserializeAsync(e)).Event is UserPasswordSet set)
            {
                last = set;
            }
        }

        return last!;
    }
}
