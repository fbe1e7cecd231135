using System.Net;
using System.Text.RegularExpressions;
using KoderId.Server.Email;
using KoderId.Server.Tests.Api;
using KoderId.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KoderId.Oidc.Tests.Email;

/// <summary>What an operator sees: no secret, link token, code or address in any log line; notifications that start at the head when enabled.</summary>
public sealed partial class EmailOperationsTests : IClassFixture<LocalSmtpServer>
{
    private const string NewPassword = "a brand new passphrase 2026";
    private readonly LocalSmtpServer _smtp;

    public EmailOperationsTests(LocalSmtpServer smtp) => _smtp = smtp;

    [Fact]
    public async Task no_log_line_holds_a_link_token_a_code_a_password_or_an_address()
    {
        var logs = new CapturedLogs();
        await using var host = await EmailHost.StartAsync(_smtp, s =>
            s.AddSingleton<ILoggerFactory>(_ => LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs))));

        await host.CreateUserAsync("logged", "logged@example.com");
        var verify = EmailHost.Token(LocalSmtpServer.Link((await _smtp.WaitForAsync("logged@example.com"))[0], "/ui/email/verify"));
        using (var confirmed = await host.PostJsonAsync("/v1/auth/email/verify", new { token = verify }))
        {
            Assert.Equal(HttpStatusCode.NoContent, confirmed.StatusCode);
        }

        using (var replay = await host.PostJsonAsync("/v1/auth/email/verify", new { token = verify }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        }

        (await host.PostJsonAsync("/v1/auth/password-reset", new { email = "logged@example.com" })).Dispose();
        var reset = EmailHost.Token(LocalSmtpServer.Link((await _smtp.WaitForAsync("logged@example.com", kind: "password-reset"))[0], "/ui/password/reset"));
        (await host.PostJsonAsync("/v1/auth/password-reset/confirm", new { token = reset, password = "weak" })).Dispose();
        using (var done = await host.PostJsonAsync("/v1/auth/password-reset/confirm", new { token = reset, password = NewPassword }))
        {
            Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
        }

        var flow = await host.Api.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/auth/flows")
        {
            Content = EmailHost.JsonContent(new { username = "logged" }),
            Headers = { { "X-Tenant-ID", "acme" } },
        });
        var id = System.Text.Json.JsonDocument.Parse(await flow.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        (await host.Api.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/v1/auth/flows/{id}/email-otp/challenge") { Headers = { { "X-Tenant-ID", "acme" } } })).Dispose();
        var mail = (await _smtp.WaitForAsync("logged@example.com", kind: "login-code"))[0];
        var code = SixDigits().Match(mail.TextBody ?? "").Value;
        var magic = EmailHost.Token(LocalSmtpServer.Link(mail, "/ui/login/magic"));

        Assert.NotEmpty(logs.Lines);
        Assert.Contains(logs.Lines, l => l.Contains("Email password-reset sent", StringComparison.Ordinal));
        var secrets = new[] { verify, reset, magic, code, NewPassword, "logged@example.com", Uri.EscapeDataString(verify) };
        foreach (var line in logs.Lines)
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, line, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public async Task notifications_enabled_later_start_at_the_head_and_never_mail_the_past()
    {
        await using var before = ApiHost.Sqlite(s =>
        {
            EmailHost.Configure(s, _smtp);
            s.Configure<EmailOptions>(o => o.Notifications = false);
            s.Configure<Server.Tenancy.TenancyOptions>(o => o.BaseDomain = "koderid.test");
        });
        await before.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "acme", name = "Acme" }, expected: HttpStatusCode.Created);
        await before.OkAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "past", email = "past@example.com" }, expected: HttpStatusCode.Created);

        // A second node on the same database, with notifications on: its checkpoint starts at the head.
        await using var after = ApiHost.Sqlite(
            s =>
            {
                EmailHost.Configure(s, _smtp);
                s.Configure<Server.Tenancy.TenancyOptions>(o => o.BaseDomain = "koderid.test");
            },
            new Dictionary<string, string?> { ["KoderId:Storage:ConnectionString"] = $"Data Source={Path.Combine(before.Factory.DataDirectory!, "koderid.db")}" });
        await after.OkAsync(HttpMethod.Get, "/v1/users?limit=1", "acme");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await CheckpointAsync(after) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await after.OkAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "present", email = "present@example.com" }, expected: HttpStatusCode.Created);

        await _smtp.WaitForAsync("present@example.com");
        Assert.Empty(_smtp.To("past@example.com"));
    }

    private static async Task<long> CheckpointAsync(ApiHost host) =>
        await new EventSourcing.Subscriptions.SqlCheckpointStore(host.Factory.Services.GetRequiredService<EventSourcing.Projections.IReadModelStore>())
            .LoadAsync("email-notifications");

    [GeneratedRegex("\\b[0-9]{6}\\b")]
    private static partial Regex SixDigits();
}
