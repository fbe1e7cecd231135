using System.Text;
using System.Text.Json;
using KoderId.Testing.Audit;
using H = KoderId.Testing.Audit.ScriptedHistory;

namespace KoderId.Cli.Tests.Audit;

/// <summary><c>koderid audit replay</c> and <c>export</c> over the scripted history (see <see cref="ScriptedHistory"/>).</summary>
public sealed class AuditReplayTests : IAsyncLifetime
{
    private AuditTestStore _store = null!;

    public async Task InitializeAsync() => _store = await AuditTestStore.CreateAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static string[] Types(IEnumerable<JsonElement> events) => events.Select(e => e.GetProperty("type").GetString()!).ToArray();

    [Fact]
    public async Task a_replay_is_one_tenants_whole_history_in_log_order()
    {
        var events = await _store.ReplayAsync();

        Assert.Equal(20, events.Length);
        Assert.All(events, e => Assert.Equal(H.Acme, e.GetProperty("tenantId").GetString()));
        var positions = events.Select(e => e.GetProperty("position").GetInt64()).ToArray();
        Assert.Equal(positions.Order(), positions);
        Assert.DoesNotContain(events, e => e.GetProperty("streamId").GetString()!.Contains(H.Gina, StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_user_subject_matches_its_stream_and_every_event_that_names_it()
    {
        var events = await _store.ReplayAsync("--subject", H.Alice);

        Assert.Equal(
            [
                "user.created.v1", "user.profile-updated.v2", "group.member-added.v1", "role.assigned-to-user.v1", "session.started.v1",
                "session.started.v1", "grant.consent-given.v1", "session.revoked.v1", "user.password-set.v1", "mfa.u2f-registered.v1",
                "user.email-changed.v1", "user.disabled.v1", "session.revoked.v1", "user.erased.v1",
            ],
            Types(events));
        Assert.All(events, e => Assert.Equal(H.Alice, e.GetProperty("userId").GetString()));
    }

    [Fact]
    public async Task a_session_subject_and_a_client_subject_match_their_streams_and_fields()
    {
        var session = await _store.ReplayAsync("--subject", "s-1");
        var client = await _store.ReplayAsync("--subject", H.WebClient);

        Assert.Equal(["session.started.v1", "session.revoked.v1"], Types(session));
        Assert.All(session, e => Assert.Equal("session-acme-s-1", e.GetProperty("streamId").GetString()));
        Assert.Equal(["grant.consent-given.v1"], Types(client));
        Assert.Equal(H.WebClient, client[0].GetProperty("clientId").GetString());
    }

    [Fact]
    public async Task the_actor_filter_is_exact()
    {
        var events = await _store.ReplayAsync("--actor", "api-key:k2");

        Assert.Equal(["group.created.v1", "group.member-added.v1", "role.created.v1", "role.assigned-to-user.v1", "role.created.v1", "role.assigned-to-group.v1"], Types(events));
        Assert.Empty(await _store.ReplayAsync("--actor", "api-key:"));
    }

    [Fact]
    public async Task event_types_match_exactly_without_version_or_by_prefix()
    {
        Assert.Equal(["user.created.v1", "user.created.v1"], Types(await _store.ReplayAsync("--type", "user.created.v1")));
        Assert.Equal(["user.created.v1", "user.created.v1"], Types(await _store.ReplayAsync("--type", "user.created")));
        Assert.Equal(["session.started.v1", "session.started.v1", "session.revoked.v1", "session.revoked.v1"], Types(await _store.ReplayAsync("--type", "session.")));
        Assert.Equal(
            ["role.created.v1", "role.assigned-to-user.v1", "role.created.v1", "role.assigned-to-group.v1", "user.disabled.v1"],
            Types(await _store.ReplayAsync("--type", "role.*,user.disabled.v1")));
        Assert.Equal(3, (await _store.ReplayAsync("--type", "user.erased", "--type", "group.")).Length);
    }

    [Fact]
    public async Task the_time_range_includes_from_and_excludes_to()
    {
        var events = await _store.ReplayAsync("--from", "2026-01-05T12:00:00Z", "--to", "2026-01-05T16:00:00+00:00");

        Assert.Equal(
            ["group.created.v1", "group.member-added.v1", "role.created.v1", "role.assigned-to-user.v1", "role.created.v1", "role.assigned-to-group.v1",
                "session.started.v1", "session.started.v1", "grant.consent-given.v1"],
            Types(events));
        Assert.Equal(
            ["user.disabled.v1", "session.revoked.v1"],
            Types(await _store.ReplayAsync("--from", "2026-01-05T20:00:00+01:00", "--to", "2026-01-05T21:00:00Z", "--subject", H.Alice)));
    }

    [Fact]
    public async Task an_erased_users_personal_fields_read_as_erased_and_secrets_are_never_shown()
    {
        var events = await _store.ReplayAsync("--subject", H.Alice);
        var created = events.Single(e => e.GetProperty("type").GetString() == "user.created.v1");
        var password = events.Single(e => e.GetProperty("type").GetString() == "user.password-set.v1");
        var mfa = events.Single(e => e.GetProperty("type").GetString() == "mfa.u2f-registered.v1");
        var started = events.First(e => e.GetProperty("type").GetString() == "session.started.v1");

        Assert.Equal("[erased]", created.GetProperty("data").GetProperty("username").GetString());
        Assert.Equal("[erased]", created.GetProperty("data").GetProperty("email").GetString());
        Assert.Contains("username", created.GetProperty("erasedFields").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("[redacted]", password.GetProperty("data").GetProperty("passwordHash").GetString());
        Assert.Equal("initial", password.GetProperty("data").GetProperty("reason").GetString());
        Assert.Equal("[redacted]", mfa.GetProperty("data").GetProperty("seed").GetString());
        Assert.Equal("KID3005", mfa.GetProperty("problem").GetString());
        Assert.Equal("[redacted]", started.GetProperty("data").GetProperty("secretHash").GetString());

        var all = (await _store.RunAsync("audit", "replay", "--tenant", H.Acme, "--format", "jsonl")).Stdout;
        Assert.DoesNotContain("$argon2id$", all, StringComparison.Ordinal);
        Assert.DoesNotContain("JBSWY3DPEHPK3PXP", all, StringComparison.Ordinal);
        Assert.DoesNotContain("alice@example.com", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task before_an_erasure_personal_fields_are_decrypted_for_the_reader()
    {
        await using var store = await AuditTestStore.CreateAsync(erase: false);

        var created = (await store.ReplayAsync("--type", "user.created.v1", "--subject", H.Alice)).Single();

        Assert.Equal("alice@example.com", created.GetProperty("data").GetProperty("email").GetString());
        Assert.Empty(created.GetProperty("erasedFields").EnumerateArray());
    }

    [Fact]
    public async Task csv_is_rfc_4180_and_parses_back_to_the_same_events()
    {
        var run = await _store.RunAsync("audit", "replay", "--tenant", H.Acme, "--format", "csv");
        var json = await _store.ReplayAsync();

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\r\n", run.Stdout, StringComparison.Ordinal);
        var rows = Csv.Parse(run.Stdout);
        Assert.Equal(
            "position,timestamp,tenant_id,stream_id,stream_version,event_type,event_id,actor,client_ip,user_agent,user_id,client_id,session_id,correlation_id,causation_id,erased_fields,data,hash",
            string.Join(',', rows[0]));
        Assert.Equal(json.Length, rows.Count - 1);
        for (var i = 0; i < json.Length; i++)
        {
            var row = rows[i + 1];
            Assert.Equal(18, row.Length);
            Assert.Equal(json[i].GetProperty("position").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), row[0]);
            Assert.Equal(json[i].GetProperty("type").GetString(), row[5]);
            Assert.Equal(json[i].GetProperty("userAgent").GetString() ?? "", row[9]);
            Assert.Equal(json[i].GetProperty("hash").GetString(), row[17]);
            Assert.Equal(json[i].GetProperty("data").GetRawText(), JsonDocument.Parse(row[16]).RootElement.GetRawText());
        }

        Assert.Contains(rows, r => r[9] == H.Browser);
    }

    [Fact]
    public async Task ecs_lines_carry_the_stable_field_names()
    {
        var run = await _store.RunAsync("audit", "export", "--tenant", H.Acme, "--subject", "s-1");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(2, lines.Length);
        var started = lines[0];
        Assert.Equal("2026-01-05T14:00:00.000000Z", started.GetProperty("@timestamp").GetString());
        Assert.Equal("session.started.v1", started.GetProperty("event").GetProperty("action").GetString());
        Assert.True(Guid.TryParse(started.GetProperty("event").GetProperty("id").GetString(), out _));
        Assert.True(started.GetProperty("event").GetProperty("sequence").GetInt64() > 0);
        Assert.Equal(64, started.GetProperty("event").GetProperty("hash").GetString()!.Length);
        Assert.Equal(H.Alice, started.GetProperty("user").GetProperty("id").GetString());
        Assert.Equal(H.Ip, started.GetProperty("source").GetProperty("ip").GetString());
        Assert.Equal(H.Browser, started.GetProperty("user_agent").GetProperty("original").GetString());
        Assert.Equal(H.Acme, started.GetProperty("tenant").GetProperty("id").GetString());
        Assert.Equal("user:alice", started.GetProperty("koderid").GetProperty("actor").GetString());
        Assert.Equal("session-acme-s-1", started.GetProperty("koderid").GetProperty("stream").GetString());
        Assert.Equal("s-1", started.GetProperty("koderid").GetProperty("session_id").GetString());

        var consent = JsonDocument.Parse((await _store.RunAsync("audit", "export", "--tenant", H.Acme, "--subject", H.WebClient)).StdoutLines.Single()).RootElement;
        Assert.Equal(H.WebClient, consent.GetProperty("koderid").GetProperty("client_id").GetString());
    }

    [Fact]
    public async Task an_export_without_a_tenant_is_the_whole_log()
    {
        var run = await _store.RunAsync("audit", "export", "--format", "jsonl");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(22, run.StdoutLines.Length);
        Assert.Contains(run.StdoutLines, l => l.Contains("\"tenantId\":\"globex\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task the_default_output_is_a_timeline_and_json_is_json_lines()
    {
        var human = await _store.RunAsync("audit", "replay", "--tenant", H.Acme, "--subject", "s-1");
        var json = await _store.RunAsync("audit", "replay", "--tenant", H.Acme, "--subject", "s-1", "--json");
        var none = await _store.RunAsync("audit", "replay", "--tenant", H.Acme, "--subject", "nobody");

        Assert.Equal(0, human.ExitCode);
        Assert.StartsWith("TIME (UTC)", human.StdoutLines[0], StringComparison.Ordinal);
        Assert.Equal(3, human.StdoutLines.Length);
        Assert.StartsWith("2026-01-05 14:00:00.000Z", human.StdoutLines[1], StringComparison.Ordinal);
        Assert.Contains("userId=alice reason=logout", human.StdoutLines[2], StringComparison.Ordinal);
        Assert.DoesNotContain("sessionId=", human.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, json.StdoutLines.Length);
        Assert.All(json.StdoutLines, l => JsonDocument.Parse(l));
        Assert.Equal("No events match.", none.StdoutLines.Single());
    }

    [Theory]
    [InlineData("KID4100", 2, "--from", "yesterday")]
    [InlineData("KID4100", 2, "--to", "2026-01-05T10:00:00")]
    [InlineData("KID4100", 2, "--from", "2026-13-01T00:00:00Z")]
    [InlineData("KID4101", 2, "--from", "2026-01-06T00:00:00Z", "--to", "2026-01-05T00:00:00Z")]
    [InlineData("KID4102", 2, "--format", "xml")]
    [InlineData("KID4103", 2, "--type", "user created")]
    [InlineData("KID4103", 2, "--type", "us*er")]
    public async Task bad_inputs_are_one_coded_line_and_print_nothing(string code, int exit, params string[] args)
    {
        var run = await _store.RunAsync(["audit", "replay", "--tenant", H.Acme, .. args]);

        Assert.Equal(exit, run.ExitCode);
        Assert.StartsWith($"{code}: ", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task a_replay_needs_a_tenant()
    {
        var run = await _store.RunAsync("audit", "replay");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("KID4106: ", run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>An RFC 4180 reader, written for the test so it checks the writer against the RFC rather than against itself.</summary>
    private static class Csv
    {
        public static List<string[]> Parse(string text)
        {
            var rows = new List<string[]>();
            var row = new List<string>();
            var field = new StringBuilder();
            var quoted = false;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else if (c == '"')
                    {
                        quoted = false;
                    }
                    else
                    {
                        field.Append(c);
                    }
                }
                else if (c == '"')
                {
                    Assert.Equal(0, field.Length);
                    quoted = true;
                }
                else if (c == ',')
                {
                    row.Add(field.ToString());
                    field.Clear();
                }
                else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    row.Add(field.ToString());
                    field.Clear();
                    rows.Add([.. row]);
                    row.Clear();
                    i++;
                }
                else
                {
                    Assert.NotEqual('\n', c);
                    field.Append(c);
                }
            }

            Assert.False(quoted);
            Assert.Equal(0, field.Length + row.Count);
            return rows;
        }
    }
}
