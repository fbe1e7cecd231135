using System.Text.Json;
using H = KoderId.Testing.Audit.ScriptedHistory;

namespace KoderId.Cli.Tests.Audit;

/// <summary><c>koderid audit verify</c> over the scripted history: erasure keeps the chain, a tampered row is named.</summary>
public sealed class AuditVerifyChainTests : IAsyncLifetime
{
    private AuditTestStore _store = null!;

    public async Task InitializeAsync() => _store = await AuditTestStore.CreateAsync(erase: true);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task the_chain_still_verifies_after_a_user_was_erased()
    {
        Assert.Equal(0L, await _store.Store.ScalarAsync("SELECT COUNT(*) FROM subject_keys WHERE subject_id = 'alice'"));

        var whole = await _store.RunAsync("audit", "verify");
        var acme = await _store.RunAsync("audit", "verify", "--tenant", H.Acme, "--json");

        Assert.True(whole.ExitCode == 0, whole.ToString());
        Assert.StartsWith("OK: 22 events, chain intact", whole.StdoutLines.Single(), StringComparison.Ordinal);
        Assert.Equal(0, acme.ExitCode);
        var result = JsonDocument.Parse(acme.Stdout).RootElement;
        Assert.True(result.GetProperty("valid").GetBoolean());
        Assert.Equal(20, result.GetProperty("tenantEventsChecked").GetInt64());
    }

    [Fact]
    public async Task a_tampered_row_is_named_with_its_stream_event_and_hashes()
    {
        var position = (long)(await _store.Store.ScalarAsync("SELECT position FROM events WHERE event_type = 'role.assigned-to-user.v1'"))!;
        var eventId = (string)(await _store.Store.ScalarAsync($"SELECT event_id FROM events WHERE position = {position}"))!;
        var stored = Convert.ToHexStringLower((byte[])(await _store.Store.ScalarAsync($"SELECT hash FROM events WHERE position = {position}"))!);
        await _store.Store.ExecuteAsync($"UPDATE events SET data = replace(data, 'alice', 'mallory') WHERE position = {position}");

        var human = await _store.RunAsync("audit", "verify");
        var json = await _store.RunAsync("audit", "verify", "--json");

        Assert.Equal(3, human.ExitCode);
        Assert.Equal($"BROKEN at position {position}: event at position {position} does not match its hash (modified or re-linked)", human.StdoutLines[0]);
        Assert.Equal($"stream role-acme-auditor (tenant acme), event {eventId}", human.StdoutLines[1]);
        Assert.StartsWith("expected hash ", human.StdoutLines[2], StringComparison.Ordinal);
        Assert.EndsWith($"found {stored}", human.StdoutLines[2], StringComparison.Ordinal);
        Assert.Equal($"KID4005: hash chain broken at position {position}", human.Stderr.Trim());

        var link = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("brokenLink");
        Assert.Equal(position, link.GetProperty("position").GetInt64());
        Assert.Equal("role-acme-auditor", link.GetProperty("streamId").GetString());
        Assert.Equal(eventId, link.GetProperty("eventId").GetString());
        Assert.Equal(stored, link.GetProperty("foundHash").GetString());
        Assert.NotEqual(stored, link.GetProperty("expectedHash").GetString());
        Assert.False(link.GetProperty("outsideTenant").GetBoolean());
    }

    [Fact]
    public async Task a_tenant_verification_names_its_own_break_and_only_the_position_of_anothers()
    {
        var position = (long)(await _store.Store.ScalarAsync("SELECT position FROM events WHERE stream_id = 'user-globex-gina'"))!;
        await _store.Store.ExecuteAsync($"UPDATE events SET actor = 'nobody' WHERE position = {position}");

        var acme = await _store.RunAsync("audit", "verify", "--tenant", H.Acme, "--json");
        var globex = await _store.RunAsync("audit", "verify", "--tenant", H.Globex, "--json");

        Assert.Equal(3, acme.ExitCode);
        var outside = JsonDocument.Parse(acme.Stdout).RootElement;
        Assert.False(outside.GetProperty("valid").GetBoolean());
        Assert.Equal(position, outside.GetProperty("firstBrokenPosition").GetInt64());
        Assert.True(outside.GetProperty("brokenLink").GetProperty("outsideTenant").GetBoolean());
        Assert.Equal(JsonValueKind.Null, outside.GetProperty("brokenLink").GetProperty("streamId").ValueKind);
        Assert.Equal(20, outside.GetProperty("tenantEventsChecked").GetInt64());
        Assert.DoesNotContain("gina", acme.Stdout, StringComparison.Ordinal);

        Assert.Equal(3, globex.ExitCode);
        Assert.Equal("user-globex-gina", JsonDocument.Parse(globex.Stdout).RootElement.GetProperty("brokenLink").GetProperty("streamId").GetString());
    }
}
