using System.Net;
using KoderId.EventSourcing.Storage;
using KoderId.Server.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Tests.Email;

/// <summary>
/// ADR 0006 email verification: a signed, single-use, 24-hour link mailed over real SMTP when a user gets a
/// pending address, built on the tenant's configured origin whatever the request's headers say.
/// </summary>
public sealed class EmailVerificationTests : IClassFixture<LocalSmtpServer>, IAsyncLifetime
{
    private readonly LocalSmtpServer _smtp;
    private EmailHost _host = null!;

    public EmailVerificationTests(LocalSmtpServer smtp) => _smtp = smtp;

    public async Task InitializeAsync() => _host = await EmailHost.StartAsync(_smtp);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task a_user_created_with_a_pending_address_gets_a_link_that_verifies_it()
    {
        var id = await _host.CreateUserAsync("vera", "vera@example.com");

        var mail = Assert.Single(await _smtp.WaitForAsync("vera@example.com"));
        Assert.Equal("Confirm your email address", mail.Subject);
        Assert.Equal(EmailHost.From, mail.From.Mailboxes.Single().Address);
        Assert.NotNull(mail.TextBody);
        Assert.NotNull(mail.HtmlBody);
        var link = LocalSmtpServer.Link(mail, "/ui/email/verify");
        Assert.Equal("https://acme.koderid.test", link.GetLeftPart(UriPartial.Authority));
        Assert.Contains(WebUtility.HtmlEncode(link.ToString()), mail.HtmlBody, StringComparison.Ordinal);
        Assert.False((await _host.UserAsync(id)).GetProperty("emailVerified").GetBoolean());

        using var browser = _host.Oidc.Browser();
        var done = await EmailHost.SubmitAsync(browser, link, "/ui/email/verify");

        Assert.Equal("/ui/email/verify/done", done);
        Assert.Contains("Email address confirmed", await browser.GetStringAsync(done), StringComparison.Ordinal);
        Assert.True((await _host.UserAsync(id)).GetProperty("emailVerified").GetBoolean());
        var events = await EventTypesAsync(id);
        Assert.Equal("user.email-verified.v1", events[^1]);
    }

    [Fact]
    public async Task a_verification_link_works_once()
    {
        await _host.CreateUserAsync("once", "once@example.com");
        var link = LocalSmtpServer.Link((await _smtp.WaitForAsync("once@example.com"))[0], "/ui/email/verify");

        using (var first = await _host.PostJsonAsync("/v1/auth/email/verify", new { token = EmailHost.Token(link) }))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        using (var replay = await _host.PostJsonAsync("/v1/auth/email/verify", new { token = EmailHost.Token(link) }))
        {
            await ApiHost.ProblemAsync(replay, HttpStatusCode.BadRequest, "KID1371");
        }

        using var browser = _host.Oidc.Browser();
        using var page = await browser.GetAsync(link.PathAndQuery);
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
    }

    [Fact]
    public async Task an_expired_verification_link_is_refused()
    {
        var id = await _host.CreateUserAsync("late", "late@example.com");
        var link = LocalSmtpServer.Link((await _smtp.WaitForAsync("late@example.com"))[0], "/ui/email/verify");

        _host.Time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));

        using var expired = await _host.PostJsonAsync("/v1/auth/email/verify", new { token = EmailHost.Token(link) });
        await ApiHost.ProblemAsync(expired, HttpStatusCode.BadRequest, "KID1371");
        Assert.False((await _host.UserAsync(id)).GetProperty("emailVerified").GetBoolean());
    }

    [Fact]
    public async Task a_changed_address_gets_a_new_link_the_old_one_a_notice_and_the_old_link_is_void()
    {
        var id = await _host.CreateUserAsync("mover", "mover@example.com");
        var oldLink = LocalSmtpServer.Link((await _smtp.WaitForAsync("mover@example.com"))[0], "/ui/email/verify");

        await _host.Api.OkAsync(HttpMethod.Put, $"/v1/users/{id}/email", "acme", new { email = "mover@new.example.com" });

        var notice = Assert.Single(await _smtp.WaitForAsync("mover@example.com", kind: "email-changed-notice"));
        Assert.Equal("Your email address was changed", notice.Subject);
        Assert.DoesNotContain("mover@new.example.com", notice.TextBody, StringComparison.Ordinal);
        var newLink = LocalSmtpServer.Link((await _smtp.WaitForAsync("mover@new.example.com"))[0], "/ui/email/verify");

        using (var stale = await _host.PostJsonAsync("/v1/auth/email/verify", new { token = EmailHost.Token(oldLink) }))
        {
            await ApiHost.ProblemAsync(stale, HttpStatusCode.BadRequest, "KID1371");
        }

        using (var fresh = await _host.PostJsonAsync("/v1/auth/email/verify", new { token = EmailHost.Token(newLink) }))
        {
            Assert.Equal(HttpStatusCode.NoContent, fresh.StatusCode);
        }

        var user = await _host.UserAsync(id);
        Assert.Equal("mover@new.example.com", user.GetProperty("email").GetString());
        Assert.True(user.GetProperty("emailVerified").GetBoolean());
    }

    [Fact]
    public async Task an_address_an_administrator_vouches_for_gets_no_link_but_the_old_address_a_notice()
    {
        var id = await _host.CreateUserAsync("vouched", "vouched@example.com", verified: true);
        await _host.Api.OkAsync(HttpMethod.Put, $"/v1/users/{id}/email", "acme", new { email = "vouched@new.example.com", verified = true });

        await _smtp.WaitForAsync("vouched@example.com", kind: "email-changed-notice");
        await _host.CreateUserAsync("marker1", "marker1@example.com");
        await _smtp.WaitForAsync("marker1@example.com");

        // Sent in log order: the marker's mail arrived, so nothing else was going to the vouched addresses.
        Assert.Single(_smtp.To("vouched@example.com"));
        Assert.Empty(_smtp.To("vouched@new.example.com"));
    }

    [Fact]
    public async Task a_forged_host_or_forwarded_host_does_not_change_the_link()
    {
        var id = await _host.CreateUserAsync("forged", "forged@example.com");
        await _smtp.WaitForAsync("forged@example.com");

        _host.Time.Advance(TimeSpan.FromMinutes(2));
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://evil.example/v1/users/{id}/email/verification");
        request.Headers.Add("X-Tenant-ID", "acme");
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        request.Headers.Add("X-Forwarded-Proto", "http");
        using (var resend = await _host.Api.Client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Accepted, resend.StatusCode);
        }

        var mails = await _smtp.WaitForAsync("forged@example.com", 2);
        Assert.All(mails, m => Assert.StartsWith("https://acme.koderid.test/ui/email/verify?token=", LocalSmtpServer.Link(m, "/ui/email/verify").ToString(), StringComparison.Ordinal));
        Assert.All(mails, m => Assert.DoesNotContain("evil.example", m.TextBody + m.HtmlBody, StringComparison.Ordinal));
    }

    [Fact]
    public async Task the_tenants_configured_origin_builds_the_links_and_a_bad_one_is_refused()
    {
        using (var bad = await _host.Api.SendAsync(HttpMethod.Patch, "/v1/admin/tenants/acme/settings", raw: """{"email":{"publicOrigin":"https://login.acme.example/path"}}""", mediaType: "application/merge-patch+json"))
        {
            await ApiHost.ProblemAsync(bad, HttpStatusCode.BadRequest, "KID1370");
        }

        using (var http = await _host.Api.SendAsync(HttpMethod.Patch, "/v1/admin/tenants/acme/settings", raw: """{"email":{"publicOrigin":"http://login.acme.example"}}""", mediaType: "application/merge-patch+json"))
        {
            await ApiHost.ProblemAsync(http, HttpStatusCode.BadRequest, "KID1370");
        }

        var settings = await _host.Api.OkAsync(HttpMethod.Patch, "/v1/admin/tenants/acme/settings", json: new { email = new { publicOrigin = "https://login.acme.example", fromAddress = "hello@acme.example" } }, mediaType: "application/merge-patch+json");
        Assert.Equal("https://login.acme.example", settings.GetProperty("email").GetProperty("publicOrigin").GetString());
        Assert.True(settings.GetProperty("email").GetProperty("allowEmailOtp").GetBoolean());

        await _host.CreateUserAsync("origin", "origin@example.com");
        var mail = (await _smtp.WaitForAsync("origin@example.com"))[0];
        Assert.StartsWith("https://login.acme.example/ui/email/verify?token=", LocalSmtpServer.Link(mail, "/ui/email/verify").ToString(), StringComparison.Ordinal);
        Assert.Equal("hello@acme.example", mail.From.Mailboxes.Single().Address);

        using var reset = await _host.Api.SendAsync(HttpMethod.Patch, "/v1/admin/tenants/acme/settings", raw: """{"email":null}""", mediaType: "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
    }

    [Fact]
    public async Task a_user_asks_for_a_new_link_with_their_access_token_once_a_minute()
    {
        await _host.CreateUserAsync("resender", "resender@example.com");
        await _smtp.WaitForAsync("resender@example.com");
        var access = await _host.AccessTokenAsync("resender");

        using (var sent = await _host.Oidc.BearerAsync(HttpMethod.Post, Conformance.OidcHost.Issuer + "/v1/users/me/email/verification", access))
        {
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
            Assert.Equal("sent", (await Clients.ClientHost.JsonAsync(sent, HttpStatusCode.Accepted)).GetProperty("status").GetString());
        }

        using (var again = await _host.Oidc.BearerAsync(HttpMethod.Post, Conformance.OidcHost.Issuer + "/v1/users/me/email/verification", access))
        {
            await ApiHost.ProblemAsync(again, HttpStatusCode.TooManyRequests, "KID2260");
            Assert.Equal("60", again.Headers.GetValues("Retry-After").Single());
        }

        using (var anonymous = await _host.Oidc.BearerAsync(HttpMethod.Post, Conformance.OidcHost.Issuer + "/v1/users/me/email/verification", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        await _smtp.WaitForAsync("resender@example.com", 2);
    }

    [Fact]
    public async Task a_verified_address_or_none_gets_no_link_from_the_admin_endpoint()
    {
        var verified = await _host.CreateUserAsync("done", "done@example.com", verified: true);
        using (var again = await _host.Api.SendAsync(HttpMethod.Post, $"/v1/users/{verified}/email/verification", "acme"))
        {
            await ApiHost.ProblemAsync(again, HttpStatusCode.Conflict, "KID1373");
        }

        var none = (await _host.Api.OkAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "nomail" }, expected: HttpStatusCode.Created)).GetProperty("id").GetString()!;
        using (var noAddress = await _host.Api.SendAsync(HttpMethod.Post, $"/v1/users/{none}/email/verification", "acme"))
        {
            await ApiHost.ProblemAsync(noAddress, HttpStatusCode.Conflict, "KID1022");
        }

        using (var unknown = await _host.Api.SendAsync(HttpMethod.Post, "/v1/users/nobody/email/verification", "acme"))
        {
            await ApiHost.ProblemAsync(unknown, HttpStatusCode.NotFound, "KID1011");
        }
    }

    [Fact]
    public async Task malformed_forged_or_oversized_tokens_are_400_with_a_code()
    {
        foreach (var token in new[] { "", "not-a-token", new string('A', 3000), "CfDJ8" + new string('x', 200) })
        {
            using var refused = await _host.PostJsonAsync("/v1/auth/email/verify", new { token });
            await ApiHost.ProblemAsync(refused, HttpStatusCode.BadRequest, "KID1371");
        }

        using (var missing = await _host.PostJsonAsync("/v1/auth/email/verify", new { }))
        {
            await ApiHost.ProblemAsync(missing, HttpStatusCode.BadRequest, "KID2003");
        }

        using (var unknown = await _host.PostJsonAsync("/v1/auth/email/verify", new { token = "x", extra = 1 }))
        {
            await ApiHost.ProblemAsync(unknown, HttpStatusCode.BadRequest, "KID2004");
        }

        using (var huge = await _host.PostJsonAsync("/v1/auth/email/verify", "{\"token\":\"" + new string('a', 1_100_000) + "\"}"))
        {
            await ApiHost.ProblemAsync(huge, HttpStatusCode.RequestEntityTooLarge, "KID2005");
        }

        using var browser = _host.Oidc.Browser();
        using var page = await browser.GetAsync("/ui/email/verify?token=garbage");
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        using var noCsrf = await browser.PostAsync("/ui/email/verify", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "x" }));
        Assert.Equal(HttpStatusCode.BadRequest, noCsrf.StatusCode);
    }

    [Fact]
    public async Task a_link_for_acme_is_nothing_at_globex()
    {
        await _host.CreateUserAsync("crosser", "crosser@example.com");
        var link = LocalSmtpServer.Link((await _smtp.WaitForAsync("crosser@example.com"))[0], "/ui/email/verify");

        using var cross = await _host.PostJsonAsync("/v1/auth/email/verify", new { token = EmailHost.Token(link) }, tenant: "globex");
        await ApiHost.ProblemAsync(cross, HttpStatusCode.BadRequest, "KID1371");
        using var ok = await _host.PostJsonAsync("/v1/auth/email/verify", new { token = EmailHost.Token(link) });
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
    }

    [Fact]
    public async Task rebuilding_the_projections_sends_nothing_again()
    {
        await _host.CreateUserAsync("rebuilt", "rebuilt@example.com");
        await _smtp.WaitForAsync("rebuilt@example.com");

        var manager = _host.Api.Factory.Services.GetRequiredService<KoderId.EventSourcing.Projections.ProjectionManager>();
        foreach (var projection in manager.Projections)
        {
            await manager.RebuildAsync(projection.Name);
        }

        await _host.CreateUserAsync("after-rebuild", "after-rebuild@example.com");
        await _smtp.WaitForAsync("after-rebuild@example.com");
        Assert.Single(_smtp.To("rebuilt@example.com"));
    }

    private async Task<List<string>> EventTypesAsync(string userId)
    {
        var store = _host.Api.Factory.Services.GetRequiredService<IEventStore>();
        var types = new List<string>();
        await foreach (var e in store.ReadStreamAsync("acme", KoderId.Application.Common.StreamNames.User("acme", userId)))
        {
            types.Add(e.EventType);
        }

        return types;
    }
}
