using System.Text.Json;
using H = KoderId.Testing.Audit.ScriptedHistory;

namespace KoderId.Cli.Tests.Audit;

/// <summary><c>koderid audit as-of TIME user ID</c> at several instants of the scripted history.</summary>
public sealed class AuditAsOfTests : IAsyncLifetime
{
    private AuditTestStore _store = null!;

    public async Task InitializeAsync() => _store = await AuditTestStore.CreateAsync(erase: false);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static string[] Ids(JsonElement account, string list, string id) =>
        account.GetProperty(list).EnumerateArray().Select(e => e.GetProperty(id).GetString()!).ToArray();

    [Fact]
    public async Task right_after_creation_the_account_has_its_first_profile_and_nothing_else()
    {
        var a = await _store.AsOfAsync("2026-01-05T10:00:00Z", H.Alice);

        Assert.Equal("active", a.GetProperty("status").GetString());
        Assert.Equal("alice", a.GetProperty("username").GetString());
        Assert.Equal("alice@example.com", a.GetProperty("email").GetString());
        Assert.False(a.GetProperty("emailVerified").GetBoolean());
        Assert.Equal("Alice", a.GetProperty("profile").GetProperty("givenName").GetString());
        Assert.Equal(JsonValueKind.Null, a.GetProperty("profile").GetProperty("displayName").ValueKind);
        Assert.False(a.GetProperty("password").GetProperty("set").GetBoolean());
        Assert.Empty(a.GetProperty("groups").EnumerateArray());
        Assert.Empty(a.GetProperty("roles").EnumerateArray());
        Assert.Empty(a.GetProperty("sessions").EnumerateArray());
        Assert.Empty(a.GetProperty("factors").EnumerateArray());
    }

    [Fact]
    public async Task group_membership_gives_the_groups_roles_next_to_the_direct_ones()
    {
        var a = await _store.AsOfAsync("2026-01-05T13:30:00Z", H.Alice);

        Assert.Equal([H.Staff], Ids(a, "groups", "groupId"));
        var roles = a.GetProperty("roles").EnumerateArray().ToDictionary(r => r.GetProperty("roleId").GetString()!, r => r.GetProperty("via").EnumerateArray().Select(v => v.GetString()!).ToArray());
        Assert.Equal(["direct"], roles[H.Auditor]);
        Assert.Equal([H.Staff], roles[H.Reader]);
        Assert.Equal("Alice L.", a.GetProperty("profile").GetProperty("displayName").GetString());
        Assert.Equal("Liddell", a.GetProperty("profile").GetProperty("familyName").GetString());
    }

    [Fact]
    public async Task open_sessions_are_those_started_and_not_yet_revoked()
    {
        Assert.Equal(["s-1", "s-2"], Ids(await _store.AsOfAsync("2026-01-05T15:30:00Z", H.Alice), "sessions", "sessionId"));
        Assert.Equal(["s-2"], Ids(await _store.AsOfAsync("2026-01-05T16:00:00Z", H.Alice), "sessions", "sessionId"));
        Assert.Empty(Ids(await _store.AsOfAsync("2026-01-05T19:00:00Z", H.Alice), "sessions", "sessionId"));
    }

    [Fact]
    public async Task the_password_and_second_factors_show_when_they_were_set_never_their_secrets()
    {
        var run = await _store.RunAsync("audit", "as-of", "2026-01-05T17:45:00Z", "user", H.Alice, "--tenant", H.Acme, "--json");
        var a = JsonDocument.Parse(run.Stdout).RootElement;

        var password = a.GetProperty("password");
        Assert.True(password.GetProperty("set").GetBoolean());
        Assert.Equal("2026-01-05T17:00:00+00:00", password.GetProperty("setAt").GetString());
        Assert.Equal("initial", password.GetProperty("reason").GetString());
        var factor = a.GetProperty("factors").EnumerateArray().Single();
        Assert.Equal("mfa", factor.GetProperty("kind").GetString());
        Assert.Equal("u2f-1", factor.GetProperty("credentialId").GetString());
        Assert.DoesNotContain("$argon2id$", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("JBSWY3DPEHPK3PXP", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task later_the_account_is_disabled_with_its_new_verified_address()
    {
        var a = await _store.AsOfAsync("2026-01-05T19:30:00Z", H.Alice);

        Assert.Equal("disabled", a.GetProperty("status").GetString());
        Assert.Equal("alice@corp.example", a.GetProperty("email").GetString());
        Assert.True(a.GetProperty("emailVerified").GetBoolean());
        Assert.Equal("2026-01-05T19:00:00+00:00", a.GetProperty("lastChangedAt").GetString());
    }

    [Fact]
    public async Task an_erased_user_is_rebuilt_with_erased_personal_fields_and_never_fails()
    {
        await using var erased = await AuditTestStore.CreateAsync(erase: true);

        var before = await erased.AsOfAsync("2026-01-05T15:30:00Z", H.Alice);
        var after = await erased.AsOfAsync("2026-01-06T00:00:00Z", H.Alice);

        Assert.Equal("active", before.GetProperty("status").GetString());
        Assert.Equal("[erased]", before.GetProperty("username").GetString());
        Assert.Equal("[erased]", before.GetProperty("email").GetString());
        Assert.Contains("email", before.GetProperty("erasedFields").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(["s-1", "s-2"], Ids(before, "sessions", "sessionId"));
        Assert.Equal("erased", after.GetProperty("status").GetString());
        Assert.Equal("", after.GetProperty("username").GetString());
        Assert.Empty(after.GetProperty("sessions").EnumerateArray());
    }

    [Fact]
    public async Task the_human_view_is_a_field_table()
    {
        var run = await _store.RunAsync("audit", "as-of", "2026-01-05T13:30:00Z", "user", H.Alice, "--tenant", H.Acme);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Reader (reader, via staff)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("alice@example.com (not verified)", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KID4104", 1, "2026-01-05T09:30:00Z", "user", H.Alice, H.Acme)]
    [InlineData("KID4104", 1, "2026-01-05T22:00:00Z", "user", "nobody", H.Acme)]
    [InlineData("KID4104", 1, "2026-01-05T22:00:00Z", "user", H.Gina, H.Acme)]
    [InlineData("KID4100", 2, "last tuesday", "user", H.Alice, H.Acme)]
    [InlineData("KID4105", 2, "2026-01-05T22:00:00Z", "group", H.Staff, H.Acme)]
    [InlineData("KID4106", 2, "2026-01-05T22:00:00Z", "user", H.Alice, "")]
    public async Task unknown_users_bad_times_and_kinds_are_refused_with_a_code(string code, int exit, string time, string kind, string id, string tenant)
    {
        var run = await _store.RunAsync(tenant.Length == 0 ? ["audit", "as-of", time, kind, id] : ["audit", "as-of", time, kind, id, "--tenant", tenant]);

        Assert.Equal(exit, run.ExitCode);
        Assert.StartsWith($"{code}: ", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task another_tenants_user_is_found_in_its_own_tenant_only()
    {
        var gina = await _store.AsOfAsync("2026-01-05T22:00:00Z", H.Gina, H.Globex);

        Assert.Equal(H.Globex, gina.GetProperty("tenantId").GetString());
        Assert.Equal("gina", gina.GetProperty("username").GetString());
    }
}
