using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using KoderId.Application.Flows;
using KoderId.Server.Tests.Api;
using KoderId.Server.Tests.Flows;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Tests.Email;

/// <summary>Signing in through <c>/v1/auth/flows</c> with the <c>email-otp</c> step: the code by JSON, the magic link by its hosted page, and a reset that bypasses no second factor.</summary>
public sealed partial class EmailFlowTests : IClassFixture<LocalSmtpServer>, IAsyncLifetime
{
    private readonly LocalSmtpServer _smtp;
    private readonly FakeTotpFactor _totp = new();
    private EmailHost _host = null!;

    public EmailFlowTests(LocalSmtpServer smtp) => _smtp = smtp;

    public async Task InitializeAsync() => _host = await EmailHost.StartAsync(_smtp, s => s.AddSingleton<IAuthenticationFactor>(_totp));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task a_user_signs_in_with_the_emailed_code_and_the_code_works_once()
    {
        await _host.CreateUserAsync("coder", "coder@example.com", verified: true);
        var flow = await StartAsync("coder");
        Assert.Contains("email-otp", Strings(flow.GetProperty("steps")));
        var id = flow.GetProperty("id").GetString()!;

        var challenge = await JsonAsync(await PostAsync($"/v1/auth/flows/{id}/email-otp/challenge", null), HttpStatusCode.OK);
        Assert.True(challenge.GetProperty("sent").GetBoolean());
        var code = Code((await _smtp.WaitForAsync("coder@example.com", kind: "login-code"))[0].TextBody);

        var done = await JsonAsync(await PostAsync($"/v1/auth/flows/{id}/email-otp", new { code }), HttpStatusCode.OK);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(["otp"], Strings(done.GetProperty("amr")));
        Assert.True(done.GetProperty("session").TryGetProperty("token", out _));

        using var replay = await PostAsync($"/v1/auth/flows/{id}/email-otp", new { code });
        await ApiHost.ProblemAsync(replay, HttpStatusCode.NotFound, "KID2200");
    }

    [Fact]
    public async Task a_wrong_code_is_401_and_a_malformed_answer_400_with_the_factors_code()
    {
        await _host.CreateUserAsync("typo", "typo@example.com", verified: true);
        var id = (await StartAsync("typo")).GetProperty("id").GetString()!;
        (await PostAsync($"/v1/auth/flows/{id}/email-otp/challenge", null)).Dispose();
        var code = Code((await _smtp.WaitForAsync("typo@example.com", kind: "login-code"))[0].TextBody);

        using (var wrong = await PostAsync($"/v1/auth/flows/{id}/email-otp", new { code = code == "111111" ? "222222" : "111111" }))
        {
            await ApiHost.ProblemAsync(wrong, HttpStatusCode.Unauthorized, "KID2201");
        }

        using (var malformed = await PostAsync($"/v1/auth/flows/{id}/email-otp", new { code = "12" }))
        {
            await ApiHost.ProblemAsync(malformed, HttpStatusCode.BadRequest, "KID1374");
        }

        using var right = await PostAsync($"/v1/auth/flows/{id}/email-otp", new { code });
        Assert.Equal("completed", (await JsonAsync(right, HttpStatusCode.OK)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task an_unknown_user_is_offered_the_step_the_same_way_and_gets_no_mail()
    {
        var flow = await StartAsync("ghost@example.com");
        Assert.Contains("email-otp", Strings(flow.GetProperty("steps")));
        var id = flow.GetProperty("id").GetString()!;

        var challenge = await JsonAsync(await PostAsync($"/v1/auth/flows/{id}/email-otp/challenge", null), HttpStatusCode.OK);
        Assert.True(challenge.GetProperty("sent").GetBoolean());
        using (var guess = await PostAsync($"/v1/auth/flows/{id}/email-otp", new { code = "123456" }))
        {
            await ApiHost.ProblemAsync(guess, HttpStatusCode.Unauthorized, "KID2201");
        }

        await _host.CreateUserAsync("marker", "marker@example.com");
        await _smtp.WaitForAsync("marker@example.com");
        Assert.Empty(_smtp.To("ghost@example.com"));
    }

    [Fact]
    public async Task the_magic_link_page_completes_the_flow_sets_the_sso_cookie_and_works_once()
    {
        await _host.CreateUserAsync("magic", "magic@example.com", verified: true);
        using var browser = _host.Oidc.Browser();
        var id = (await StartAsync("magic")).GetProperty("id").GetString()!;
        (await PostAsync($"/v1/auth/flows/{id}/email-otp/challenge", null)).Dispose();
        var link = LocalSmtpServer.Link((await _smtp.WaitForAsync("magic@example.com", kind: "login-code"))[0], "/ui/login/magic");

        using var page = await browser.GetAsync(link.PathAndQuery);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var form = new Dictionary<string, string>
        {
            ["__csrf"] = Conformance.OidcHost.Hidden(html, "__csrf"),
            ["flow"] = Conformance.OidcHost.Hidden(html, "flow"),
            ["token"] = Conformance.OidcHost.Hidden(html, "token"),
        };
        using (var posted = await browser.PostAsync("/ui/login/magic", new FormUrlEncodedContent(form)))
        {
            Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
            Assert.Equal("/ui/login/magic/done", posted.Headers.Location!.ToString());
            Assert.Contains(posted.Headers.GetValues("Set-Cookie"), c => c.Contains("HttpOnly", StringComparison.OrdinalIgnoreCase));
        }

        using (var again = await browser.PostAsync("/ui/login/magic", new FormUrlEncodedContent(form)))
        {
            Assert.Equal("/ui/login/magic/done?e=1", again.Headers.Location!.ToString());
        }

        using var bad = await browser.GetAsync("/ui/login/magic?flow=x");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task a_password_reset_does_not_bypass_the_second_factor()
    {
        var id = await _host.CreateUserAsync("mfa", "mfa@example.com", verified: true);
        _totp.EnrolledUsers.Add(id);
        using (var request = await _host.PostJsonAsync("/v1/auth/password-reset", new { username = "mfa" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, request.StatusCode);
        }

        var token = EmailHost.Token(LocalSmtpServer.Link((await _smtp.WaitForAsync("mfa@example.com", kind: "password-reset"))[0], "/ui/password/reset"));
        using (var reset = await _host.PostJsonAsync("/v1/auth/password-reset/confirm", new { token, password = "a brand new passphrase 2026" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
            Assert.False(reset.Headers.Contains("Set-Cookie"));
        }

        var flow = (await StartAsync("mfa")).GetProperty("id").GetString()!;
        var afterPassword = await JsonAsync(await PostAsync($"/v1/auth/flows/{flow}/password", new { password = "a brand new passphrase 2026" }), HttpStatusCode.OK);
        Assert.Equal("pending", afterPassword.GetProperty("status").GetString());
        Assert.Equal(["totp"], Strings(afterPassword.GetProperty("steps")));
    }

    private async Task<JsonElement> StartAsync(string username) =>
        await JsonAsync(await PostAsync("/v1/auth/flows", new { username }), HttpStatusCode.Created);

    private Task<HttpResponseMessage> PostAsync(string path, object? body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add("X-Tenant-ID", "acme");
        if (body is not null)
        {
            request.Content = EmailHost.JsonContent(body);
        }

        return _host.Api.Anonymous.SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"expected {expected}, got {(int)response.StatusCode} {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static string Code(string? text)
    {
        var match = SixDigits().Match(text ?? "");
        Assert.True(match.Success, "no code in the mail");
        return match.Value;
    }

    [GeneratedRegex("\\b[0-9]{6}\\b")]
    private static partial Regex SixDigits();
}
