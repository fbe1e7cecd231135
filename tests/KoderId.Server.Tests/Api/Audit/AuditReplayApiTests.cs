using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using KoderId.EventSourcing.Storage;
using KoderId.Server.Api;
using KoderId.Testing.Audit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using H = KoderId.Testing.Audit.ScriptedHistory;

namespace KoderId.Server.Tests.Api.Audit;

/// <summary>
/// <c>/v1/admin/audit/replay</c>, <c>/as-of</c> and <c>/verify</c> over the scripted history, written into the
/// server's own SQLite store, read with a key of tenant acme (scope <c>audit:read</c>) that names no tenant.
/// </summary>
public sealed class AuditReplayApiTests : IAsyncLifetime
{
    private ApiHost _api = null!;
    private HttpClient _acme = null!;

    public async Task InitializeAsync()
    {
        _api = ApiHost.Sqlite();
        var services = _api.Factory.Services;
        await new ScriptedHistory(services.GetRequiredService<IEventStore>(), services.GetRequiredService<ISubjectKeyStore>()).WriteAsync(erase: true);
        var key = (await _api.OkAsync(HttpMethod.Post, "/v1/admin/api-keys", H.Acme, new { name = "auditor", scopes = new[] { "audit:read" } }, expected: HttpStatusCode.Created))
            .GetProperty("key").GetString()!;
        _acme = _api.Factory.CreateClient();
        _acme.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    public async Task DisposeAsync()
    {
        _acme.Dispose();
        await _api.DisposeAsync();
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? tenant = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (tenant is not null)
        {
            request.Headers.Add("X-Tenant-ID", tenant);
        }

        return await _acme.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private async Task<JsonElement[]> LinesAsync(string path)
    {
        using var response = await GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
    }

    private async Task<JsonElement> JsonAsync(string path)
    {
        using var response = await GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task a_replay_streams_the_tenants_history_from_the_log_filtered()
    {
        var alice = await LinesAsync($"/v1/admin/audit/replay?subject={H.Alice}");
        var typed = await LinesAsync("/v1/admin/audit/replay?type=session.&type=user.erased&from=2026-01-05T15:00:00Z&to=2026-01-06");
        var byActor = await LinesAsync("/v1/admin/audit/replay?actor=api-key:k2");

        Assert.Equal(14, alice.Length);
        Assert.All(alice, e => Assert.Equal(H.Acme, e.GetProperty("tenantId").GetString()));
        Assert.Equal("[erased]", alice[0].GetProperty("data").GetProperty("username").GetString());
        Assert.Equal(["session.started.v1", "session.revoked.v1", "session.revoked.v1", "user.erased.v1"], typed.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(6, byActor.Length);
    }

    [Fact]
    public async Task csv_and_ecs_are_served_with_their_media_types()
    {
        using (var csv = await GetAsync("/v1/admin/audit/replay?format=csv&subject=s-1"))
        {
            Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
            Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
            var rows = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, rows.Length);
            Assert.StartsWith("position,timestamp,tenant_id,", rows[0], StringComparison.Ordinal);
        }

        var ecs = await LinesAsync("/v1/admin/audit/replay?format=ecs&subject=s-1");
        Assert.Equal(["session.started.v1", "session.revoked.v1"], ecs.Select(e => e.GetProperty("event").GetProperty("action").GetString()));
        Assert.Equal(H.Acme, ecs[0].GetProperty("tenant").GetProperty("id").GetString());
        Assert.Equal(H.Alice, ecs[0].GetProperty("user").GetProperty("id").GetString());
        Assert.Equal(H.Ip, ecs[0].GetProperty("source").GetProperty("ip").GetString());
        Assert.Equal("session-acme-s-1", ecs[0].GetProperty("koderid").GetProperty("stream").GetString());
    }

    [Fact]
    public async Task as_of_rebuilds_the_account_at_the_instant()
    {
        var early = await JsonAsync($"/v1/admin/audit/as-of?time=2026-01-05T13:30:00Z&user={H.Alice}");
        var late = await JsonAsync($"/v1/admin/audit/as-of?time=2026-01-05T19:30:00%2B00:00&user={H.Alice}");
        var erased = await JsonAsync($"/v1/admin/audit/as-of?time=2026-01-05T21:00:00Z&user={H.Alice}");

        Assert.Equal("active", early.GetProperty("status").GetString());
        Assert.Equal(2, early.GetProperty("roles").GetArrayLength());
        Assert.Equal(H.Staff, early.GetProperty("groups")[0].GetProperty("groupId").GetString());
        Assert.Equal("disabled", late.GetProperty("status").GetString());
        Assert.True(late.GetProperty("password").GetProperty("set").GetBoolean());
        Assert.Equal("erased", erased.GetProperty("status").GetString());
    }

    [Fact]
    public async Task verify_holds_after_the_erasure_and_names_a_tampered_row()
    {
        var intact = await JsonAsync("/v1/admin/audit/verify");
        Assert.True(intact.GetProperty("valid").GetBoolean());
        Assert.True(intact.GetProperty("tenantEventsChecked").GetInt64() >= 20);

        await TamperAsync("UPDATE events SET data = replace(data, 'Staff', 'Admins') WHERE event_type = 'group.created.v1'");
        var broken = await JsonAsync("/v1/admin/audit/verify");

        Assert.False(broken.GetProperty("valid").GetBoolean());
        var link = broken.GetProperty("brokenLink");
        Assert.Equal("group-acme-staff", link.GetProperty("streamId").GetString());
        Assert.Equal(broken.GetProperty("firstBrokenPosition").GetInt64(), link.GetProperty("position").GetInt64());
        Assert.NotEqual(link.GetProperty("expectedHash").GetString(), link.GetProperty("foundHash").GetString());
    }

    [Fact]
    public async Task a_break_in_another_tenants_event_is_reported_without_naming_it()
    {
        await TamperAsync("UPDATE events SET actor = 'nobody' WHERE stream_id = 'user-globex-gina'");

        var result = await JsonAsync("/v1/admin/audit/verify");

        Assert.False(result.GetProperty("valid").GetBoolean());
        Assert.True(result.GetProperty("brokenLink").GetProperty("outsideTenant").GetBoolean());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("brokenLink").GetProperty("streamId").ValueKind);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("brokenLink").GetProperty("foundHash").ValueKind);

        using var tenantKey = await GetAsync("/v1/admin/audit/verify?scope=log");
        await ApiHost.ProblemAsync(tenantKey, HttpStatusCode.Forbidden, "KID2002");
        var whole = await _api.OkAsync(HttpMethod.Get, "/v1/admin/audit/verify?scope=log");
        Assert.Equal("user-globex-gina", whole.GetProperty("brokenLink").GetProperty("streamId").GetString());
        Assert.Equal(H.Globex, whole.GetProperty("brokenLink").GetProperty("tenantId").GetString());
    }

    [Theory]
    [InlineData("/v1/admin/audit/replay?from=yesterday", "KID2280")]
    [InlineData("/v1/admin/audit/replay?to=2026-01-05T10:00:00", "KID2280")]
    [InlineData("/v1/admin/audit/replay?from=2026-01-06T00:00:00Z&to=2026-01-05T00:00:00Z", "KID2281")]
    [InlineData("/v1/admin/audit/replay?format=xml", "KID2282")]
    [InlineData("/v1/admin/audit/replay?format=table", "KID2282")]
    [InlineData("/v1/admin/audit/replay?type=user%20created", "KID2283")]
    [InlineData("/v1/admin/audit/as-of?user=alice", "KID2284")]
    [InlineData("/v1/admin/audit/as-of?time=2026-01-05T10:00:00Z", "KID2284")]
    [InlineData("/v1/admin/audit/as-of?time=soon&user=alice", "KID2280")]
    [InlineData("/v1/admin/audit/verify?scope=everything", "KID2283")]
    public async Task bad_inputs_are_a_400_problem_with_a_code(string path, string code)
    {
        using var response = await GetAsync(path);

        await ApiHost.ProblemAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Theory]
    [InlineData("2026-01-05T09:30:00Z", H.Alice)]
    [InlineData("2026-01-06T00:00:00Z", "nobody")]
    [InlineData("2026-01-06T00:00:00Z", H.Gina)]
    public async Task a_user_that_did_not_exist_in_the_tenant_then_is_a_404(string time, string user)
    {
        using var response = await GetAsync($"/v1/admin/audit/as-of?time={time}&user={user}");

        await ApiHost.ProblemAsync(response, HttpStatusCode.NotFound, "KID1400");
    }

    [Fact]
    public async Task tenant_a_sees_nothing_of_tenant_b()
    {
        Assert.Empty(await LinesAsync($"/v1/admin/audit/replay?subject={H.Gina}"));
        Assert.DoesNotContain(await LinesAsync("/v1/admin/audit/replay"), e => e.GetProperty("tenantId").GetString() != H.Acme);

        foreach (var path in new[] { "/v1/admin/audit/replay", $"/v1/admin/audit/as-of?time=2026-01-06T00:00:00Z&user={H.Gina}", "/v1/admin/audit/verify" })
        {
            using var response = await GetAsync(path, H.Globex);
            await ApiHost.ProblemAsync(response, HttpStatusCode.Forbidden, "KID2002");
        }
    }

    [Fact]
    public async Task past_the_bound_on_concurrent_log_scans_a_scan_is_a_503_and_a_freed_slot_serves_again()
    {
        var gate = _api.Factory.Services.GetRequiredService<AuditScanGate>();
        var held = Enumerable.Range(0, AuditScanGate.DefaultSlots).Select(_ => gate.Enter()).ToArray();
        try
        {
            foreach (var path in new[] { "/v1/admin/audit/replay", $"/v1/admin/audit/as-of?time=2026-01-06T00:00:00Z&user={H.Alice}", "/v1/admin/audit/verify" })
            {
                using var response = await GetAsync(path);
                await ApiHost.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "KID2285");
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }
        finally
        {
            held[0].Dispose();
        }

        Assert.True((await JsonAsync("/v1/admin/audit/verify")).GetProperty("valid").GetBoolean());
        held[1].Dispose();
    }

    [Fact]
    public async Task without_a_key_nothing_is_served()
    {
        using var response = await _api.Anonymous.GetAsync(new Uri("/v1/admin/audit/replay", UriKind.Relative));

        await ApiHost.ProblemAsync(response, HttpStatusCode.Unauthorized, "KID2001");
    }

    private async Task TamperAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_api.Factory.DataDirectory!, "koderid.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}
