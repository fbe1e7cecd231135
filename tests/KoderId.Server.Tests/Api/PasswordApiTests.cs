using System.Net;
using KoderId.Application.Credentials;
using KoderId.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KoderId.Server.Tests.Api;

public sealed class PasswordApiTests : IAsyncLifetime
{
    private const string Strong = "correct horse battery staple 42";
    private readonly CapturedLogs _logs = new();
    private ApiHost _api = null!;
    private string _userId = null!;

    public async Task InitializeAsync()
    {
        // One hash at a time and no queue, so a held slot makes the next hash a refusal.
        _api = ApiHost.Sqlite(s =>
        {
            // Every application log line at every level goes to the capture instead of Serilog's console.
            s.AddSingleton<ILoggerFactory>(_ => LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs)));
            s.AddSingleton(new PasswordHashingGate(1, 0, TimeSpan.Zero, TimeSpan.FromSeconds(7)));
        });
        await _api.OkAsync(HttpMethod.Post, "/v1/admin/tenants", json: new { id = "acme", name = "Acme" }, expected: HttpStatusCode.Created);
        var user = await _api.OkAsync(HttpMethod.Post, "/v1/users", "acme", new { username = "margaret", email = "maggie@example.com" }, expected: HttpStatusCode.Created);
        _userId = user.GetProperty("id").GetString()!;
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task an_admin_sets_a_password_with_204_and_the_user_can_change_it()
    {
        using var set = await _api.SendAsync(HttpMethod.Put, $"/v1/users/{_userId}/password", "acme", new { password = Strong });
        Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        Assert.Empty(await set.Content.ReadAsStringAsync());

        using var change = await _api.SendAsync(HttpMethod.Post, $"/v1/users/{_userId}/password/change", "acme",
            new { currentPassword = Strong, newPassword = "another long passphrase 7" });
        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);

        using var wrong = await _api.SendAsync(HttpMethod.Post, $"/v1/users/{_userId}/password/change", "acme",
            new { currentPassword = Strong, newPassword = "yet another passphrase 8" });
        await ApiHost.ProblemAsync(wrong, HttpStatusCode.BadRequest, "KID1108");
        AssertNeverLogged(Strong, "another long passphrase 7", "yet another passphrase 8");
    }

    [Theory]
    [InlineData("k9#Zq!", "KID1101")]
    [InlineData("1qaz2wsx3edc", "KID1103")]
    [InlineData("xx-margaret-pass-xx", "KID1104")]
    [InlineData("maggie-is-my-secret", "KID1104")]
    public async Task a_password_breaking_the_policy_is_400_with_its_codes_and_never_echoed(string password, string code)
    {
        using var response = await _api.SendAsync(HttpMethod.Put, $"/v1/users/{_userId}/password", "acme", new { password });
        var text = await response.Content.ReadAsStringAsync();
        var problem = await ApiHost.ProblemAsync(response, HttpStatusCode.BadRequest, code);
        Assert.Contains(code, problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()));
        Assert.DoesNotContain(password, text, StringComparison.OrdinalIgnoreCase);
        AssertNeverLogged(password);
    }

    [Fact]
    public async Task every_rule_broken_is_listed()
    {
        // Short and containing the username at once.
        using var response = await _api.SendAsync(HttpMethod.Put, $"/v1/users/{_userId}/password", "acme", new { password = "margaret1" });
        var problem = await ApiHost.ProblemAsync(response, HttpStatusCode.BadRequest, "KID1101");
        var codes = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()).ToArray();
        Assert.Contains("KID1101", codes);
        Assert.Contains("KID1104", codes);
    }

    [Fact]
    public async Task hashing_at_capacity_is_503_with_retry_after()
    {
        var gate = _api.Factory.Services.GetRequiredService<PasswordHashingGate>();
        using (await gate.EnterAsync(CancellationToken.None))
        {
            using var response = await _api.SendAsync(HttpMethod.Put, $"/v1/users/{_userId}/password", "acme", new { password = Strong });
            await ApiHost.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "KID1106");
            Assert.Equal("7", response.Headers.GetValues("Retry-After").Single());
        }

        AssertNeverLogged(Strong);
    }

    [Fact]
    public async Task an_unknown_member_in_a_password_body_is_refused()
    {
        using var response = await _api.SendAsync(HttpMethod.Put, $"/v1/users/{_userId}/password", "acme", new { password = Strong, hint = "x" });
        await ApiHost.ProblemAsync(response, HttpStatusCode.BadRequest, "KID2004");
    }

    private void AssertNeverLogged(params string[] secrets)
    {
        Assert.NotEmpty(_logs.Lines);
        foreach (var line in _logs.Lines)
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, line, StringComparison.OrdinalIgnoreCase);
            }
        }
    }
}
